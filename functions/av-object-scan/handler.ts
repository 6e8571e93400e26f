import { awsDeps } from '../../shared/adapters/aws/deps.ts';
import { createHandler } from './function.ts';

export const handler = createHandler(awsDeps());
