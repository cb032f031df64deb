"""The read API of an area (`/api/v1/…`): tokens, scoping, resources and the OpenAPI document."""
