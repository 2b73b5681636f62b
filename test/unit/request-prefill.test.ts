import { describe, expect, it } from 'vitest';
import { parseRequestCommandText, suggestLocalPart } from '../../src/commands/request-prefill.ts';
import { buildRequestModal } from '../../src/views/request-modal.ts';

const domains = ['example.com', 'example.org'];

describe('/request-email <text>', () => {
  it('fills the full name from plain words and suggests the local part from it', () => {
    expect(parseRequestCommandText('Jane Doe', domains)).toEqual({ fullName: 'Jane Doe', localPart: 'jane.doe' });
    expect(parseRequestCommandText('  Zoë   O’Brien-Smith ', domains)).toEqual({
      fullName: 'Zoë O’Brien-Smith',
      localPart: 'zoe.obrien-smith',
    });
    expect(parseRequestCommandText('Jane Doe Jr.', domains)).toEqual({ fullName: 'Jane Doe Jr.', localPart: 'jane.doe.jr' });
  });

  it('takes the local part from a dotted token or a name@ token', () => {
    expect(parseRequestCommandText('jane.doe', domains)).toEqual({ localPart: 'jane.doe' });
    expect(parseRequestCommandText('Jane.Doe', domains)).toEqual({ localPart: 'jane.doe' });
    expect(parseRequestCommandText('jdoe@', domains)).toEqual({ localPart: 'jdoe' });
  });

  it('takes the domain only when it is a managed one', () => {
    expect(parseRequestCommandText('jane.doe@example.org', domains)).toEqual({ localPart: 'jane.doe', domain: 'example.org' });
    expect(parseRequestCommandText('jane.doe@EXAMPLE.COM', domains)).toEqual({ localPart: 'jane.doe', domain: 'example.com' });
    expect(parseRequestCommandText('jane.doe@gmail.com', domains)).toEqual({ localPart: 'jane.doe' });
  });

  it('combines a name and an address in any order, the typed address winning over the suggestion', () => {
    expect(parseRequestCommandText('Jane Doe jd@example.org', domains)).toEqual({
      fullName: 'Jane Doe',
      localPart: 'jd',
      domain: 'example.org',
    });
    expect(parseRequestCommandText('j.doe Jane Doe', domains)).toEqual({ fullName: 'Jane Doe', localPart: 'j.doe' });
  });

  it('fills nothing it cannot use', () => {
    expect(parseRequestCommandText('', domains)).toEqual({});
    expect(parseRequestCommandText(undefined, domains)).toEqual({});
    // A one-letter name is not a name; "cpanel" is reserved; "<b>" cannot be in a name.
    expect(parseRequestCommandText('J', domains)).toEqual({});
    expect(parseRequestCommandText('cpanel@', domains)).toEqual({});
    expect(parseRequestCommandText('Jane cpanel@example.com', domains)).toEqual({ fullName: 'Jane', localPart: 'jane' });
    expect(parseRequestCommandText('<b>', domains)).toEqual({});
    expect(suggestLocalPart('李 小龍')).toBeUndefined();
  });

  it('reaches the modal as initial values', () => {
    const prefill = parseRequestCommandText('Jane Doe jane.doe@example.org', domains);
    expect(prefill).toEqual({ fullName: 'Jane Doe', localPart: 'jane.doe', domain: 'example.org' });
    const modal = buildRequestModal({ domains, initialFullName: 'Jane Doe', initialLocalPart: 'jane.doe', initialDomain: 'example.org' });
    const element = (blockId: string) =>
      (modal.blocks.find((block) => 'block_id' in block && block.block_id === blockId) as unknown as { element: Record<string, unknown> })
        .element;
    expect(element('full_name').initial_value).toBe('Jane Doe');
    expect(element('local_part').initial_value).toBe('jane.doe');
    expect(element('domain').initial_option).toEqual({ text: { type: 'plain_text', text: 'example.org' }, value: 'example.org' });
    // Without a prefill the first domain stays selected and nothing is filled in.
    const empty = buildRequestModal({ domains, initialDomain: 'elsewhere.com' });
    const blocks = JSON.stringify(empty.blocks);
    expect(blocks).not.toContain('initial_value');
    expect(blocks).toContain('"initial_option":{"text":{"type":"plain_text","text":"example.com"},"value":"example.com"}');
  });
});
