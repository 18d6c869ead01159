"""Every write of the chat, by subject (as Zulip's zerver/actions): validated, stored, audited
where it matters, published on commit. Callers import the submodule they need."""
