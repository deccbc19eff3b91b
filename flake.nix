{
  description = "fargate-cost: measure batch data jobs under AWS Fargate limits and price them on Fargate and AWS Glue";

  # The crate needs rustc >= 1.95 (Cargo.toml rust-version), so follow nixos-unstable.
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: builtins.listToAttrs (map
        (system: { name = system; value = f nixpkgs.legacyPackages.${system}; })
        systems);
    in
    {
      packages = forAllSystems (pkgs:
        let
          fargate-cost = pkgs.rustPlatform.buildRustPackage {
            pname = "fargate-cost";
            version = "0.1.0";
            src = ./.;
            cargoLock.lockFile = ./Cargo.lock;
            # The test suite needs cgroups and a moto server; .ci/run runs it.
            doCheck = false;
            meta.mainProgram = "fargate-cost";
          };
        in
        {
          inherit fargate-cost;
          default = fargate-cost;
          # OCI image: `nix build .#image && docker load < result`.
          image = pkgs.dockerTools.buildLayeredImage {
            name = "fargate-cost";
            tag = "0.1.0";
            contents = [ fargate-cost pkgs.cacert ];
            config.Entrypoint = [ "${fargate-cost}/bin/fargate-cost" ];
          };
        });

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = [
            pkgs.cargo
            pkgs.rustc
            pkgs.clippy
            pkgs.rustfmt
            pkgs.cargo-nextest
            # Fixture jobs (duckdb) and the AWS test server (moto) used by the tests.
            (pkgs.python3.withPackages (ps: [ ps.duckdb ps.moto ps.flask ps.flask-cors ]))
          ];
        };
      });
    };
}
