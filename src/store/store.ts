// Persistence behind one interface: today the record of deliveries already seen.

export interface Store {
  /**
   * Records that a delivery was accepted. Resolves true the first time a key is seen within the
   * retention window, false for a repeat.
   */
  recordDelivery(key: string): Promise<boolean>;
}
