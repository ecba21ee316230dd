export interface SignupAccountsTable {
  user_id: string;
  org_id: string;
  created_at: Date;
}
