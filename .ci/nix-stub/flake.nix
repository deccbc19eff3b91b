# A stand-in for nixpkgs with just the attributes flake.nix uses, each a trivial
# derivation. It lets `nix flake check --no-build` evaluate flake.nix offline (no GitHub):
# a structural check of our flake, not of real nixpkgs attribute names.
{
  outputs = { self }:
    let
      pkgsFor = system:
        let
          dummy = name: derivation { inherit name system; builder = "/bin/sh"; args = [ "-c" "echo ${name} > $out" ]; };
          pythonPackages = { duckdb = dummy "duckdb"; moto = dummy "moto"; flask = dummy "flask"; flask-cors = dummy "flask-cors"; };
        in
        {
          mkShell = args: dummy "shell";
          rustPlatform.buildRustPackage = args: assert args ? pname && args ? cargoLock; dummy args.pname;
          dockerTools.buildLayeredImage = args: assert args ? name && args ? config; dummy args.name;
          cacert = dummy "cacert";
          cargo = dummy "cargo";
          rustc = dummy "rustc";
          clippy = dummy "clippy";
          rustfmt = dummy "rustfmt";
          cargo-nextest = dummy "cargo-nextest";
          python3.withPackages = f: builtins.seq (f pythonPackages) (dummy "python3-env");
        };
    in
    {
      legacyPackages = {
        x86_64-linux = pkgsFor "x86_64-linux";
        aarch64-linux = pkgsFor "aarch64-linux";
      };
    };
}
