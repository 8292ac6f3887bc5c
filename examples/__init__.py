"""Example apps: the usage guide's FastAPI app with the engine embedded (``seed_app.py``) and run inputs."""
