//! The API emulator: LivePerson's visitor Chat REST API served on loopback (see docs/emulator.md).
