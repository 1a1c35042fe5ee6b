/** Who signed a request, as request verification found it. */
export interface Caller {
  readonly accessKeyId: string;
  readonly principalArn: string;
  /** `anonymous`: an unsigned request to an `anonymous` operation (accessKeyId is then empty). */
  readonly kind: 'admin' | 'instance' | 'anonymous';
  /** For instance credentials and instance-key signatures: the managed instance (`mi-...`) the caller is. */
  readonly instanceId?: string;
}
