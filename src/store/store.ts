// Persistence behind one interface: deliveries already seen, and when each schedule rule last ran.

export interface Store {
  /**
   * Records that a delivery was accepted. Resolves true the first time a key is seen within the
   * retention window, false for a repeat.
   */
  recordDelivery(key: string): Promise<boolean>;
  /** When the schedule rule last started a run (epoch ms), if it ever did. */
  lastScheduleRun(rule: string): Promise<number | undefined>;
  recordScheduleRun(rule: string, at: number): Promise<void>;
}
