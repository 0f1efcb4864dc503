#:package Microsoft.IdentityModel.JsonWebTokens@8.19.2
#:property PublishAot=false
#:property ManagePackageVersionsCentrally=false

// Development tokens for ClonusCds: an ES384 key pair, REST API access tokens, CDS Hooks client JWTs.
// For integration testing only: a real deployment gets its access tokens from its authorization server.
// See docs/security.md ("Trying it locally").
//
//   dotnet run tools/dev-token.cs -- keygen --out <dir> [--kid <kid>]
//   dotnet run tools/dev-token.cs -- mint --key <file> --iss <issuer> --aud <audience> --scope "clonus.assess" [--minutes 5] [--sub <client id>]
//       --scope takes any space-separated scopes: clonus.assess, clonus.knowledge.read, clonus.feedback.read
//       (the last reads stored CDS Hooks feedback, GET /cds-services/{id}/feedback).
//   dotnet run tools/dev-token.cs -- cds  --key <file> --iss <issuer> --aud <service URL> [--minutes 5] [--tenant <tenant>]
//
// Only the token (mint, cds) or the public JWK Set (keygen) goes to stdout; everything else to stderr.

using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

const string Usage = """
    Usage:
      dotnet run tools/dev-token.cs -- keygen --out <dir> [--kid <kid>]
          Creates <dir>/dev-es384.private.jwk.json (keep it secret) and <dir>/dev-es384.jwks.json (public),
          and prints the public JWK Set to put in configuration (Auth:Issuers:N:Jwks or CdsHooks:Trust:Issuers:N:Jwks).
      dotnet run tools/dev-token.cs -- mint --key <private jwk file> --iss <issuer> --aud <audience> --scope "<scopes>" [--minutes 5] [--sub <client id>]
          Prints a REST API access token (typ at+jwt; iss, sub, client_id, aud, scope, iat, nbf, exp, jti).
          Scopes (space-separated): clonus.assess, clonus.knowledge.read, clonus.feedback.read (feedback read).
      dotnet run tools/dev-token.cs -- cds --key <private jwk file> --iss <issuer> --aud <CDS service URL> [--minutes 5] [--tenant <tenant>]
          Prints a CDS Hooks client JWT (typ JWT, kid; iss, sub, aud, iat, exp, jti).
    """;

try
{
    if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
    {
        Console.Error.WriteLine(Usage);
        return args.Length == 0 ? 2 : 0;
    }

    var options = Options.Parse(args.AsSpan(1));
    switch (args[0])
    {
        case "keygen":
            return Commands.Keygen(options);
        case "mint":
            Console.WriteLine(Commands.Mint(options, access: true));
            return 0;
        case "cds":
            Console.WriteLine(Commands.Mint(options, access: false));
            return 0;
        default:
            Console.Error.WriteLine($"Unknown command '{args[0]}'.");
            Console.Error.WriteLine(Usage);
            return 2;
    }
}
catch (UsageException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(Usage);
    return 2;
}

/// <summary>The three commands.</summary>
internal static class Commands
{
    private const string PrivateFile = "dev-es384.private.jwk.json";
    private const string PublicFile = "dev-es384.jwks.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Keygen(Options options)
    {
        var dir = options.Required("out");
        Directory.CreateDirectory(dir);
        var privatePath = Path.Combine(dir, PrivateFile);
        if (File.Exists(privatePath))
        {
            throw new UsageException($"{privatePath} already exists; choose another --out directory or delete it first.");
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var p = key.ExportParameters(includePrivateParameters: true);
        var x = B64(p.Q.X!);
        var y = B64(p.Q.Y!);
        // RFC 7638 thumbprint: a stable kid derived from the public key.
        var kid = options.Optional("kid") ?? B64(SHA256.HashData(Encoding.UTF8.GetBytes($$"""{"crv":"P-384","kty":"EC","x":"{{x}}","y":"{{y}}"}""")));
        var publicJwk = new Dictionary<string, string> { ["kty"] = "EC", ["crv"] = "P-384", ["kid"] = kid, ["use"] = "sig", ["alg"] = "ES384", ["x"] = x, ["y"] = y };
        var privateJwk = new Dictionary<string, string>(publicJwk) { ["d"] = B64(p.D!) };

        File.WriteAllText(privatePath, JsonSerializer.Serialize(privateJwk, Indented) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(privatePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var jwks = JsonSerializer.Serialize(new Dictionary<string, object> { ["keys"] = new[] { publicJwk } });
        File.WriteAllText(Path.Combine(dir, PublicFile), jwks + "\n");
        Console.Error.WriteLine($"Private key (keep it secret, never commit it): {privatePath}");
        Console.Error.WriteLine($"Public JWK Set (for JwksPath, or paste the line below as Jwks): {Path.Combine(dir, PublicFile)}");
        Console.WriteLine(jwks);
        return 0;
    }

    public static string Mint(Options options, bool access)
    {
        var keyPath = options.Required("key");
        var iss = options.Required("iss");
        var aud = options.Required("aud");
        var minutes = options.Number("minutes", 5);
        if (minutes is <= 0 or > 60)
        {
            throw new UsageException("--minutes must be between 1 and 60 (the service's MaxTokenLifetimeSeconds defaults to 3600).");
        }

        if (!File.Exists(keyPath))
        {
            throw new UsageException($"No key file at {keyPath}; create one with: keygen --out <dir>");
        }

        var key = new JsonWebKey(File.ReadAllText(keyPath));
        if (key.Kty != JsonWebAlgorithmsKeyTypes.EllipticCurve || key.Crv != JsonWebKeyECTypes.P384 || string.IsNullOrEmpty(key.D) || string.IsNullOrEmpty(key.Kid))
        {
            throw new UsageException($"{keyPath} is not a private ES384 (EC P-384) JWK with a kid; create one with: keygen --out <dir>");
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var sub = options.Optional("sub") ?? iss;
        var claims = new Dictionary<string, object>
        {
            ["iss"] = iss,
            ["sub"] = sub,
            ["aud"] = aud,
            ["iat"] = now,
            ["exp"] = now + (minutes * 60),
            ["jti"] = Guid.NewGuid().ToString(),
        };
        if (access)
        {
            claims["client_id"] = sub;
            claims["nbf"] = now;
            claims["scope"] = options.Required("scope");
        }
        else if (options.Optional("tenant") is { } tenant)
        {
            claims["tenant"] = tenant;
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha384),
            // RFC 9068 access tokens are typed at+jwt; CDS Hooks client JWTs are plain JWT.
            TokenType = access ? "at+jwt" : "JWT",
        });
    }

    private static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);
}

/// <summary>--name value pairs.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static Options Parse(ReadOnlySpan<string> args)
    {
        var options = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new UsageException($"Expected --name value pairs, got '{args[i]}'.");
            }

            options._values[args[i][2..]] = args[++i];
        }

        return options;
    }

    public string Required(string name) =>
        _values.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : throw new UsageException($"--{name} is required.");

    public string? Optional(string name) => _values.GetValueOrDefault(name);

    public int Number(string name, int fallback) =>
        !_values.TryGetValue(name, out var text) ? fallback
        : int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n
        : throw new UsageException($"--{name} must be a whole number.");
}

/// <summary>Wrong arguments: the message and the usage go to stderr, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
