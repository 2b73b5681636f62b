import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { registerListeners } from '../../src/commands/index.ts';
import type { HomeService } from '../../src/services/home/home-service.ts';
import type { LeaverService } from '../../src/services/leavers/leaver-service.ts';
import type { OffboardingService } from '../../src/services/offboarding/offboarding-service.ts';
import type { PasswordResetService } from '../../src/services/password-reset/reset-service.ts';
import type { ReconcileService } from '../../src/services/reconcile/reconcile-service.ts';
import type { RequestService } from '../../src/services/requests/request-service.ts';

const manifest = parse(readFileSync('manifest.yml', 'utf8')) as {
  features: { slash_commands: Array<{ command: string; url: string }>; app_home: Record<string, boolean> };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    interactivity: { is_enabled: boolean; request_url: string; message_menu_options_url?: string };
    event_subscriptions?: { request_url?: string; bot_events?: string[] };
  };
};

/** Bot scopes each Web API method needs (docs.slack.dev/reference/methods). */
const SCOPES_BY_METHOD: Record<string, string[]> = {
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.getPermalink': [],
  'conversations.open': ['im:write'],
  'conversations.history': ['im:history'],
  'users.info': ['users:read'],
  'users.list': ['users:read'],
  'users.lookupByEmail': ['users:read.email'],
  'usergroups.users.list': ['usergroups:read'],
  'views.open': [],
  'views.update': [],
  'views.push': [],
  'views.publish': [],
};

/** Bot scopes each subscribed event needs (docs.slack.dev/reference/events). */
const SCOPES_BY_EVENT: Record<string, string[]> = {
  app_home_opened: [],
  user_change: ['users:read'],
};

/**
 * Scopes a method needs only for some fields: users.info returns profile.email only with
 * users:read.email, which the contact resolver reads (SMS/email notifications, issue 3).
 */
const EXTRA_SCOPES: Record<string, { method: string; why: string }> = {
  'users:read.email': { method: 'users.info', why: 'profile.email for the contact resolver' },
};

function recordRegistrations() {
  const registered = {
    commands: [] as string[],
    actions: [] as string[],
    views: [] as string[],
    events: [] as string[],
    options: [] as string[],
  };
  const app = {
    command: (name: string) => registered.commands.push(name),
    action: (id: string) => registered.actions.push(id),
    view: (id: string) => registered.views.push(id),
    event: (name: string) => registered.events.push(name),
    options: (id: string) => registered.options.push(id),
    shortcut: () => {},
  } as unknown as App;
  registerListeners(app, {
    requests: {} as RequestService,
    domains: ['example.com'],
    offboarding: {} as OffboardingService,
    leavers: {} as LeaverService,
    home: {} as HomeService,
    passwordReset: {} as PasswordResetService,
    reconcile: {} as ReconcileService,
  });
  return registered;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'generated' ? [] : sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Web API methods the code calls, found as `client.<family>.<method>(` in src/. */
function usedMethods(): Set<string> {
  const methods = new Set<string>();
  for (const file of sourceFiles('src')) {
    for (const match of readFileSync(file, 'utf8').matchAll(/client\.((?:[a-z]+\.)+[a-zA-Z]+)\(/g)) methods.add(match[1] as string);
  }
  return methods;
}

describe('manifest.yml', () => {
  const registered = recordRegistrations();

  it('declares exactly the slash commands the code registers, all pointing at /slack/events', () => {
    expect(manifest.features.slash_commands.map((c) => c.command).sort()).toEqual([...registered.commands].sort());
    for (const command of manifest.features.slash_commands) expect(new URL(command.url).pathname).toBe('/slack/events');
  });

  it('enables interactivity because the code registers buttons and modals', () => {
    expect(registered.actions.length + registered.views.length).toBeGreaterThan(0);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(new URL(manifest.settings.interactivity.request_url).pathname).toBe('/slack/events');
  });

  it('sets the options load URL when the code serves external_select options', () => {
    if (registered.options.length === 0) return;
    const url = manifest.settings.interactivity.message_menu_options_url;
    expect(url, 'add settings.interactivity.message_menu_options_url').toBeDefined();
    expect(new URL(url as string).pathname).toBe('/slack/events');
  });

  it('subscribes to exactly the events the code listens to, delivered to /slack/events', () => {
    expect([...(manifest.settings.event_subscriptions?.bot_events ?? [])].sort()).toEqual([...registered.events].sort());
    if (registered.events.length === 0) return;
    const url = manifest.settings.event_subscriptions?.request_url;
    expect(url, 'add settings.event_subscriptions.request_url').toBeDefined();
    expect(new URL(url as string).pathname).toBe('/slack/events');
  });

  it('enables the Home tab exactly when the code publishes it on app_home_opened', () => {
    const publishesHome = registered.events.includes('app_home_opened');
    expect(publishesHome).toBe(usedMethods().has('views.publish'));
    expect(manifest.features.app_home.home_tab_enabled).toBe(publishesHome);
  });

  it('enables the Messages tab the bot DMs people in', () => {
    expect(manifest.features.app_home.messages_tab_enabled).toBe(true);
  });

  it('asks for exactly the bot scopes the code needs', () => {
    const methods = usedMethods();
    expect(methods.size).toBeGreaterThan(0);
    const unknown = [...methods].filter((method) => !(method in SCOPES_BY_METHOD));
    expect(unknown, 'add these methods to SCOPES_BY_METHOD').toEqual([]);
    const unknownEvents = registered.events.filter((event) => !(event in SCOPES_BY_EVENT));
    expect(unknownEvents, 'add these events to SCOPES_BY_EVENT').toEqual([]);
    const needed = new Set([
      'commands',
      ...[...methods].flatMap((method) => SCOPES_BY_METHOD[method] ?? []),
      ...registered.events.flatMap((event) => SCOPES_BY_EVENT[event] ?? []),
    ]);
    for (const [scope, { method }] of Object.entries(EXTRA_SCOPES)) if (methods.has(method)) needed.add(scope);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });
});
