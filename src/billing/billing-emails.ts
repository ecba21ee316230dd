// The emails of each billing step, to every Admin of the organisation. Plain text plus escaped HTML, links
// built from config.baseUrl only.
import { escapeHtml } from '../mail/templates.js';
import type { MailMessage } from '../mail/mailer.js';
import type { PlanNotice, PlanSnapshot } from './plan-state.js';

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : 'soon');

export function billingNoticeEmail(to: string, notice: PlanNotice, ctx: { orgName: string; plan: PlanSnapshot; billingUrl: string }): MailMessage {
  const { orgName, plan } = ctx;
  const lines: Record<PlanNotice, [string, string[]]> = {
    trial_ending: [`Your Mowt trial for ${orgName} ends on ${day(plan.trialEndsAt)}`, ['Choose a plan to keep your dashboards running without interruption.']],
    trial_expired: [`Your Mowt trial for ${orgName} has ended`, ['Your data is safe and still readable. Choose a plan to make changes and keep syncing.']],
    activated: [`Welcome to Mowt — ${orgName} is subscribed`, ['Thank you. Your invoices and VAT receipts come from Stripe; you can manage payment methods from Settings → Billing.']],
    plan_changed: [`Your Mowt plan for ${orgName} changed`, ['The new plan applies from now on; Stripe prorates the difference.']],
    payment_failed: [`Payment for Mowt (${orgName}) failed`, [`We could not collect your renewal. Everything keeps working until ${day(plan.graceEndsAt)}; please update your payment method before then.`]],
    read_only: [`Mowt for ${orgName} is now read-only`, ['The renewal is still unpaid after the grace period. Your data is kept and readable; update your payment method to restore full access.']],
    payment_recovered: [`Payment received — Mowt for ${orgName} is fully active again`, ['Thank you, nothing else to do.']],
    canceled: [`Your Mowt subscription for ${orgName} is cancelled`, [`You keep read-only access until ${day(plan.accessEndsAt)}. Your data is then kept until ${day(plan.eraseAfter)} and erased after that; export it from Settings before then if you need it.`]],
    access_ended: [`Your Mowt access for ${orgName} has ended`, [`Your data is kept until ${day(plan.eraseAfter)} and then erased. Subscribe again before then to keep it, or export it now.`]],
    erasure_due: [`Mowt is erasing the data of ${orgName}`, ['The retention period after cancellation has passed, so the organisation and its data are being erased.']],
  };
  const [subject, body] = lines[notice];
  const paragraphs = [...body];
  return {
    to,
    subject,
    text: `${subject}\n\n${paragraphs.join('\n\n')}\n\nBilling: ${ctx.billingUrl}\n\n— Mowt\n`,
    html: `<!doctype html>\n<html><body>\n<p><strong>${escapeHtml(subject)}</strong></p>\n${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}\n<p><a href="${escapeHtml(ctx.billingUrl)}">Open billing</a></p>\n</body></html>\n`,
  };
}
