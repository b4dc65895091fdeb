/**
 * The shapes the console reads from the API (its OpenAPI components List,
 * Entry and Check), as far as the pages use them.
 */
import type { Scope } from '../policy/index.js';

export interface Resolution {
  readonly state: 'resolved' | 'grace' | 'failed' | 'pending';
  readonly addresses: readonly string[];
  readonly resolvedAt?: string;
  readonly failure?: string;
}

export interface Entry {
  readonly value: string;
  readonly active: boolean;
  readonly description?: string;
  readonly createdAt?: string;
  readonly createdBy?: string;
  readonly updatedAt?: string;
  readonly updatedBy?: string;
  readonly resolution?: Resolution;
}

export interface ShownList {
  readonly tenant: string;
  readonly scope: Scope;
  readonly configured: boolean;
  readonly enabled: boolean;
  /** The page asked for. */
  readonly entries: readonly Entry[];
  /** Entries matching the filter, on every page. */
  readonly total: number;
  readonly rev: number;
  readonly countries: CountrySetting;
}

/** The scope's allowed countries (upper case, sorted) and their switch. */
export interface CountrySetting {
  readonly enabled: boolean;
  readonly codes: readonly string[];
}
