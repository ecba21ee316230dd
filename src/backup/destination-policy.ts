// Where a backup may be written. Production: off-site, in an AWS region other than the primary's (a copy
// in the same region does not survive the region), and only in a region every included organisation's
// data-residency promise allows (UK data stays in the UK or the EU). Development may use a local folder.
export class BackupDestinationError extends Error {
  override name = 'BackupDestinationError';
}

/** UK and EU regions: adequacy decisions both ways, so UK or EU residency allows any of them. */
export const UK_EU_REGIONS: readonly string[] = ['eu-west-2', 'eu-west-1', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-south-2'];

/** Destination regions allowed for data that resides in `dataRegion`. */
export function allowedDestinations(dataRegion: string): readonly string[] {
  return UK_EU_REGIONS.includes(dataRegion) ? UK_EU_REGIONS : [dataRegion];
}

export interface DestinationCheck {
  production: boolean;
  primaryRegion: string;
  /** The store's region; 'local' for a folder on this machine. */
  destinationRegion: string;
  orgDataRegions: readonly string[];
}

export function checkBackupDestination(c: DestinationCheck): void {
  if (c.destinationRegion === 'local') {
    if (c.production) {
      throw new BackupDestinationError(
        'refusing to back up to a local folder in production: backups must go to another region (an S3 destination, ' +
          'which needs @aws-sdk/client-s3); production recovery relies on replication and AWS Backup',
      );
    }
    return;
  }
  if (c.destinationRegion === c.primaryRegion) {
    throw new BackupDestinationError(
      `refusing to back up to ${c.destinationRegion}: the backup region must differ from the primary region (${c.primaryRegion})`,
    );
  }
  const refused = c.orgDataRegions.filter((r) => !allowedDestinations(r).includes(c.destinationRegion));
  if (refused.length > 0) {
    throw new BackupDestinationError(
      `refusing to back up to ${c.destinationRegion}: organisations with data in ${refused.join(', ')} may not be copied there`,
    );
  }
}
