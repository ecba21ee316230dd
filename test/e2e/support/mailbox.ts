// Reads links out of the development mailbox: the backend writes each message as an .eml file under
// <dataDir>/mail (src/mail/dev-mailbox.ts).
import fs from 'node:fs';
import path from 'node:path';

/** Undoes quoted-printable soft line breaks and escapes, which can split a long link. */
function decodeQuotedPrintable(text: string): string {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The path and query of the first link to `pathname` in a message sent to `to`, waiting up to `timeoutMs`. */
export async function findMailedLink(dataDir: string, to: string, pathname: string, timeoutMs = 15_000): Promise<string> {
  const dir = path.join(dataDir, 'mail');
  const deadline = Date.now() + timeoutMs;
  // The backend puts the token in the fragment (#token=…); a query (?token=…) is accepted too.
  const linkRe = new RegExp(`https?://[^\\s"'<>]+${pathname.replace(/[/?]/g, '\\$&')}[?#]token=[A-Za-z0-9_.%~-]+`);
  while (Date.now() < deadline) {
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).sort() : [];
    for (const f of files) {
      const text = decodeQuotedPrintable(fs.readFileSync(path.join(dir, f), 'utf8'));
      if (!new RegExp(`^To: .*${to.replace(/[.+]/g, '\\$&')}`, 'mi').test(text)) continue;
      const match = text.match(linkRe);
      if (match) {
        const url = new URL(match[0].replace(/&amp;/g, '&'));
        return url.pathname + url.search + url.hash;
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no mail to ${to} with a ${pathname} link arrived in ${dir}`);
}
