/** A dead-letter queue of the stage and the messages waiting in it. */
export interface QueueCount {
  /** The stateful stack's name for it: UndeliveredEvents, FailedEvents. */
  queue: string;
  messages: number;
}

/** SES's account as SESv2 GetAccount tells it, or why it could not be read. */
export type SesAccountState =
  | {
      productionAccess: boolean;
      sendingEnabled: boolean;
      /** -1: no daily limit. */
      max24HourSend: number;
      /** 0: no limit (the local runtime with sesMaxSendRate 0). */
      maxSendRate: number;
      sentLast24Hours: number;
    }
  | { error: string };

/** What `kp status` and the console's overview read about the system's health. */
export interface HealthReads {
  deadLetters(): Promise<QueueCount[]>;
  sesAccount(): Promise<SesAccountState>;
}
