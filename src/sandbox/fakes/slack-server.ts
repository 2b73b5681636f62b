export * from '../../../test/fakes/slack-server.ts';
