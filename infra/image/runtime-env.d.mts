export declare const RDS_CA_BUNDLE: string;
export declare function prepareEnvironment(
  env: Record<string, string | undefined>,
  opts?: { caBundle?: string; writeFile?: (file: string, content: string) => void },
): string[];
