"""Meta WhatsApp Cloud API pieces shared by the services that talk to it (Graph client, webhook
parsing); each service keeps its own message building."""
