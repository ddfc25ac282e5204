"""Entry points, configuration and the HTTP server of remote-wins."""
