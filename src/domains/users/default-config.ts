/** The config every new user starts with (the legacy service's defaults). */
export const DEFAULT_USER_CONFIG = {
  monitoredDirectories: [] as string[],
  excludePatterns: ['\\.git/', '__pycache__/', '\\.pyc$', 'node_modules/', '\\.floyo/'],
  trackingConfig: { enable_file_watcher: true, enable_command_tracking: true, max_events: 1000, retention_days: 90 },
  suggestionsConfig: { max_suggestions: 5, use_actual_file_paths: true },
  privacyConfig: { anonymize_paths: false, exclude_sensitive_dirs: [] as string[] },
};
