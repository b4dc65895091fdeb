/** A time from the API (ISO 8601, UTC) as the console's tables show it: `2026-12-03 09:59:00 UTC`. */
export const shownTime = (iso: string) => `${iso.slice(0, 19).replace('T', ' ')} UTC`;
