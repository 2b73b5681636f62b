export * from '../../../test/fakes/cpanel-server.ts';
