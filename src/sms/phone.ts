// Phone numbers as SMS gateways send them and as admins register them. A registered number is E.164
// (+<country code><number>, at most 15 digits); what a gateway sends is brought to the same form (separators and
// Arabic-Indic digits folded, a leading 00 read as +) so the two compare as strings.
import { z } from 'zod';

const DIGITS: Record<string, string> = {};
for (let d = 0; d < 10; d++) {
  DIGITS[String.fromCharCode(0x0660 + d)] = String(d);
  DIGITS[String.fromCharCode(0x06f0 + d)] = String(d);
}

/** The number as compared with User.phone: `+` and digits for an international number, else the digits alone. */
export function normalizePhone(raw: string): string {
  const folded = raw.replace(/[\u0660-\u0669\u06F0-\u06F9]/g, (c) => DIGITS[c]!).replace(/[\s().\-\u200E\u200F]/g, '');
  if (/^\+\d+$/.test(folded)) return folded;
  if (/^00\d+$/.test(folded)) return `+${folded.slice(2)}`;
  return folded;
}

export const E164 = /^\+[1-9]\d{6,14}$/;

/** A phone number an admin registers for an observer, normalised to E.164. */
export const PhoneNumber = z
  .string()
  .trim()
  .max(40)
  .transform(normalizePhone)
  .refine((p) => E164.test(p), 'an international number: + (or 00), country code and number, e.g. +218912345678')
  .meta({ description: 'E.164, e.g. +218912345678 (spaces, dashes and a leading 00 are accepted).' });
