// zod with the .openapi() extension, imported by every module that declares a boundary schema,
// so that the validation and the OpenAPI document come from the same object.
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);
export { z };
