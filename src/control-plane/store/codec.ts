/**
 * Records are stored as JSON documents shaped like the ECS API objects they describe. JSON has no dates, so
 * Date values travel as `{"$date": <epoch ms>}` and come back as Dates; nothing else is transformed.
 */
export function encodeDoc(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key];
    return raw instanceof Date ? { $date: raw.getTime() } : v;
  });
}

export function decodeDoc<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const d = (v as { $date?: unknown }).$date;
      if (typeof d === 'number' && Object.keys(v).length === 1) return new Date(d);
    }
    return v;
  }) as T;
}

/** Opaque pagination tokens: the sort key of the last item returned, so pages stay stable under writes. */
export function encodePageToken(lastKey: string): string {
  return Buffer.from(JSON.stringify({ k: lastKey }), 'utf8').toString('base64url');
}

export function decodePageToken(token: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k?: unknown };
    return typeof parsed.k === 'string' ? parsed.k : undefined;
  } catch {
    return undefined;
  }
}
