"""Admin pages: branches, carriers, tariffs, PBX systems, users, and the audit trail."""
