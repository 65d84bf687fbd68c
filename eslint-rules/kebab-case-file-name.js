// Local ESLint rule: every linted file is named in kebab-case (lower-case words joined by `-`,
// then `.test`/`.d` or similar suffixes and the extension), as the house style asks.
import { basename } from 'node:path';

const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*$/;

export const kebabCaseFileName = {
  meta: {
    type: 'suggestion',
    docs: { description: 'file names are kebab-case' },
    messages: { notKebab: 'File name "{{name}}" is not kebab-case.' },
    schema: [],
  },
  create(context) {
    return {
      Program(node) {
        const name = basename(context.filename);
        if (!KEBAB.test(name)) context.report({ node, messageId: 'notKebab', data: { name } });
      },
    };
  },
};
