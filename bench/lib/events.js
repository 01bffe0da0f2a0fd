'use strict';

/**
 * Event i as a desktop client sends it (a file touched with a tool): 8 extensions, 500
 * files, 4 tools, a small details object. Deterministic, so every benchmark that posts
 * events posts the same ones.
 */
function benchEvent(i) {
  const ext = ['py', 'ts', 'md', 'json', 'go', 'rs', 'css', 'sql'][i % 8];
  return {
    event_type: i % 3 ? 'file_modified' : 'file_opened',
    file_path: `/home/bench/project/src/module_${i % 500}.${ext}`,
    tool: ['vscode', 'vim', 'git', 'pycharm'][i % 4],
    operation: i % 3 ? 'write' : 'open',
    details: { size: 1000 + (i % 97), lines: 40 + (i % 13) },
  };
}

module.exports = { benchEvent };
