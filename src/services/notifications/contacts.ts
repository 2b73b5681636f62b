import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { Db } from '../../platform/db-types.ts';
import type { SlackGateway } from '../../slack/gateway.ts';

/** How to reach a Slack user outside Slack. A missing field means "no way to reach them that way". */
export interface Contact {
  slackUserId: string;
  name: string;
  email?: string;
  /** E.164. */
  phone?: string;
  /** Where each field came from, for the Delivery record and for support. */
  source: { email?: 'staff' | 'slack'; phone?: 'staff' | 'slack' };
  /** Why there is no phone, when the profile had one that is not a valid number. */
  phoneProblem?: string;
}

/**
 * Finds a person's email and phone: their `Staff` directory row when there is one, field by field
 * falling back to their Slack profile (`users.info`; the email needs the users:read.email scope).
 */
export class ContactResolver {
  constructor(private readonly deps: { db: Db; slack: SlackGateway; phoneRegion: string }) {}

  async resolve(slackUserId: string): Promise<Contact> {
    const staff = await this.deps.db.staff.findUnique({
      where: { slackUserId },
      select: { fullName: true, workEmail: true, personalEmail: true, phone: true },
    });
    const contact: Contact = { slackUserId, name: staff?.fullName ?? slackUserId, source: {} };
    const staffEmail = staff?.workEmail ?? staff?.personalEmail ?? undefined;
    if (staffEmail) Object.assign(contact, { email: staffEmail, source: { ...contact.source, email: 'staff' } });
    const staffPhone = staff?.phone ? this.normalisePhone(staff.phone) : undefined;
    if (staffPhone) Object.assign(contact, { phone: staffPhone, source: { ...contact.source, phone: 'staff' } });
    if (contact.email && contact.phone && staff) return contact;

    const user = await this.deps.slack.getUser(slackUserId);
    if (!user) return contact;
    if (!staff) contact.name = user.realName;
    if (!contact.email && user.email) {
      contact.email = user.email;
      contact.source.email = 'slack';
    }
    if (!contact.phone && user.phone?.trim()) {
      const phone = this.normalisePhone(user.phone);
      if (phone) {
        contact.phone = phone;
        contact.source.phone = 'slack';
      } else {
        contact.phoneProblem = `the phone number in the Slack profile (${user.phone.trim()}) is not a valid number`;
      }
    }
    return contact;
  }

  /** Profiles hold free text ("+1 415-555-2671", "(415) 555 2671"); SMS needs E.164. */
  private normalisePhone(raw: string): string | undefined {
    const phone = parsePhoneNumberFromString(raw.trim(), this.deps.phoneRegion as CountryCode);
    return phone?.isValid() ? phone.number : undefined;
  }
}
