/** Minimal types for cidr-matcher 2.x (the package ships none), as the policy benchmark uses it. */
declare module 'cidr-matcher' {
  class CIDRMatcher {
    /** Each class is `address/prefix`; a bare address throws. */
    constructor(classes?: readonly string[]);
    addNetworkClass(cidr: string): void;
    removeNetworkClass(cidr: string): void;
    /** False also for text that is not an address. */
    contains(address: string): boolean;
    containsAny(addresses: readonly string[]): boolean;
  }
  export = CIDRMatcher;
}
