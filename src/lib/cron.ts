import cron from 'node-cron';

/** node-cron 4 takes six fields, seconds first; a five-field expression would silently mean something else. */
export const isSixFieldCron = (expression: string): boolean => expression.trim().split(/\s+/).length === 6 && cron.validate(expression);
