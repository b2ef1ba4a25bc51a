"""JagaKerja: a Telegram bot for BPJS Ketenagakerjaan protection of pekerja rentan."""

__version__ = "0.1.0"
