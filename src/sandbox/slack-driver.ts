export * from '../../test/support/slack-driver.ts';
