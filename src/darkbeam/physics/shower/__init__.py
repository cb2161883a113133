"""Pure cross sections and material data for electromagnetic showers (docs/showers.md)."""
