import CustodyCore
import CustodyOwnership
import Testing

struct ManifestTests {
    func pin(_ kind: DependencyManifest, _ text: String, _ name: String) -> DependencyManifest.Pin? {
        kind.pins(in: text)[kind.canonicalName(name)]
    }

    @Test func kindsFromFileNames() {
        #expect(DependencyManifest(path: "web/package-lock.json") == .npmLock)
        #expect(DependencyManifest(path: "requirements-dev.txt") == .requirements)
        #expect(DependencyManifest(path: "svc/go.sum") == .goSum)
        #expect(DependencyManifest(path: "src/app.py") == nil)
        #expect(DependencyManifest(path: "package.json") == nil)
    }

    @Test func npmLockVersions1To3() {
        let v3 = """
            {
              "name": "portal",
              "lockfileVersion": 3,
              "packages": {
                "": {"name": "portal", "dependencies": {"lodash": "^4.17.0"}},
                "node_modules/lodash": {
                  "version": "4.17.20",
                  "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz"
                },
                "node_modules/@babel/core": {"version": "7.24.0"},
                "node_modules/x/node_modules/lodash": {"version": "3.10.1"}
              }
            }
            """
        #expect(pin(.npmLock, v3, "lodash") == DependencyManifest.Pin(version: "4.17.20", line: 6))
        #expect(pin(.npmLock, v3, "@babel/core")?.version == "7.24.0")
        #expect(pin(.npmLock, v3, "pkg:npm/%40babel/core@7.24.0")?.version == "7.24.0")
        let v1 =
            #"{"lockfileVersion": 1, "dependencies": {"minimist": {"version": "1.2.5", "dependencies": {"x": {"version": "0.1.0"}}}}}"#
        #expect(pin(.npmLock, v1, "minimist")?.version == "1.2.5")
        #expect(pin(.npmLock, v1, "x")?.version == "0.1.0")
        #expect(DependencyManifest.npmLock.pins(in: "{ not json").isEmpty)
    }

    @Test func yarnLockClassicAndBerry() {
        let classic = """
            # yarn lockfile v1


            "@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
              version "7.12.13"
              resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz"

            lodash@^4.17.19:
              version "4.17.21"
            """
        #expect(pin(.yarnLock, classic, "@babel/code-frame") == DependencyManifest.Pin(version: "7.12.13", line: 4))
        #expect(pin(.yarnLock, classic, "lodash") == DependencyManifest.Pin(version: "4.17.21", line: 8))
        let berry = "\"lodash@npm:^4.17.0\":\n  version: 4.17.21\n  resolution: \"lodash@npm:4.17.21\"\n"
        #expect(pin(.yarnLock, berry, "lodash")?.version == "4.17.21")
    }

    @Test func pythonRequirementsAndPoetry() {
        let requirements =
            "# pinned\nDjango==4.2.1  # web\nrequests[socks]==2.31.0 ; python_version >= '3.8'\nflask>=2\n-r base.txt\n"
        #expect(pin(.requirements, requirements, "django") == DependencyManifest.Pin(version: "4.2.1", line: 2))
        #expect(pin(.requirements, requirements, "Requests")?.version == "2.31.0")
        #expect(pin(.requirements, requirements, "flask") == nil)  // a range pins nothing
        let poetry = """
            [[package]]
            name = "Jinja2"
            version = "3.1.2"
            description = "A very fast and expressive template engine."

            [[package]]
            name = "zope.interface"
            version = "6.0"
            """
        #expect(pin(.poetryLock, poetry, "jinja2") == DependencyManifest.Pin(version: "3.1.2", line: 1))
        #expect(pin(.poetryLock, poetry, "zope-interface")?.version == "6.0")
    }

    @Test func goModAndGoSum() {
        let mod = """
            module example.gov/portal

            go 1.22

            require github.com/gin-gonic/gin v1.9.0

            require (
            \tgolang.org/x/net v0.17.0 // indirect
            \tgithub.com/google/uuid v1.6.0
            )
            """
        #expect(pin(.goMod, mod, "github.com/gin-gonic/gin") == DependencyManifest.Pin(version: "v1.9.0", line: 5))
        #expect(pin(.goMod, mod, "golang.org/x/net") == DependencyManifest.Pin(version: "v0.17.0", line: 8))
        let sum = "golang.org/x/net v0.17.0 h1:abc=\ngolang.org/x/net v0.17.0/go.mod h1:def=\n"
        #expect(pin(.goSum, sum, "golang.org/x/net") == DependencyManifest.Pin(version: "v0.17.0", line: 1))
    }

    @Test func cargoGemfileComposerAndMaven() {
        let cargo =
            "version = 3\n\n[[package]]\nname = \"openssl\"\nversion = \"0.10.55\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
        #expect(pin(.cargoLock, cargo, "openssl") == DependencyManifest.Pin(version: "0.10.55", line: 3))
        let gemfile =
            "GEM\n  remote: https://rubygems.org/\n  specs:\n    actionpack (7.1.3)\n      rack (>= 2.2.4)\n    rack (2.2.8)\n\nPLATFORMS\n  ruby\n"
        #expect(pin(.gemfileLock, gemfile, "actionpack") == DependencyManifest.Pin(version: "7.1.3", line: 4))
        #expect(pin(.gemfileLock, gemfile, "rack") == DependencyManifest.Pin(version: "2.2.8", line: 6))
        let composer = """
            {
                "packages": [
                    {
                        "name": "guzzlehttp/guzzle",
                        "version": "7.4.4"
                    }
                ],
                "packages-dev": [{"name": "phpunit/phpunit", "version": "9.6.0"}]
            }
            """
        #expect(pin(.composerLock, composer, "GuzzleHttp/Guzzle") == DependencyManifest.Pin(version: "7.4.4", line: 4))
        #expect(pin(.composerLock, composer, "phpunit/phpunit")?.version == "9.6.0")
        let pom = """
            <project>
              <dependencies>
                <dependency>
                  <groupId>org.apache.logging.log4j</groupId>
                  <artifactId>log4j-core</artifactId>
                  <version>2.14.1</version>
                </dependency>
                <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4.13.2</version></dependency>
              </dependencies>
            </project>
            """
        #expect(
            pin(.pom, pom, "org.apache.logging.log4j:log4j-core") == DependencyManifest.Pin(version: "2.14.1", line: 3))
        #expect(pin(.pom, pom, "pkg:maven/junit/junit@4.13.2")?.version == "4.13.2")
    }

    @Test func packageURLs() {
        #expect(PackageURL.name("pkg:npm/%40angular/core@16.0.0") == "@angular/core")
        #expect(PackageURL.version("pkg:npm/%40angular/core@16.0.0") == "16.0.0")
        #expect(PackageURL.name("pkg:golang/github.com/gin-gonic/gin@v1.9.0?type=module") == "github.com/gin-gonic/gin")
        #expect(
            PackageURL.name("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")
                == "org.apache.logging.log4j:log4j-core")
        #expect(PackageURL.version("pkg:pypi/django") == nil)
        #expect(PackageURL.name("lodash") == nil)
    }
}
