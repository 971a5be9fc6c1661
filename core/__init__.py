"""The shared kernel: projects and their members, long-running Jobs, the API's error shape."""
