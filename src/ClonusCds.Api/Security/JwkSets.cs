using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace ClonusCds.Api.Security;

/// <summary>JWK Set parsing and the key checks shared by every token validated here (CDS Hooks and REST).</summary>
internal static class JwkSets
{
    /// <summary>
    /// Every signing algorithm this service can verify: asymmetric only. HMAC (HS256…) and <c>none</c>
    /// are never accepted anywhere: a verifier holding an HMAC secret could mint tokens itself, and
    /// an HMAC check is exactly how a public key gets misused as a "secret".
    /// </summary>
    public static readonly IReadOnlyList<string> AsymmetricAlgorithms =
    [
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384,
    ];

    /// <summary>Parses a JWK Set; false (with a short reason, never key material) when it is not one.</summary>
    public static bool TryParse(string json, out IReadOnlyList<JsonWebKey> keys, out string? error)
    {
        keys = [];
        try
        {
            using (var doc = JsonDocument.Parse(json))
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object
                    || !doc.RootElement.TryGetProperty("keys", out var array) || array.ValueKind != JsonValueKind.Array)
                {
                    error = "expected an object with a \"keys\" array";
                    return false;
                }
            }

            keys = [.. new JsonWebKeySet(json).Keys];
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or FormatException or InvalidOperationException)
        {
            error = ex is JsonException ? "not JSON" : "not a JWK Set";
            return false;
        }
    }

    /// <summary>
    /// The keys of an inline JWK Set and a JWK Set file, merged. Both are checked at startup by the
    /// options validators; here an unreadable set simply adds no keys.
    /// </summary>
    public static List<JsonWebKey> LoadStatic(string? jwks, string? jwksPath)
    {
        var keys = new List<JsonWebKey>();
        if (!string.IsNullOrWhiteSpace(jwks) && TryParse(jwks, out var inline, out _))
        {
            keys.AddRange(inline);
        }

        if (!string.IsNullOrWhiteSpace(jwksPath) && File.Exists(jwksPath) && TryParse(File.ReadAllText(jwksPath), out var fromFile, out _))
        {
            keys.AddRange(fromFile);
        }

        return keys;
    }

    /// <summary>The keys with this <c>kid</c> (ordinal).</summary>
    public static List<JsonWebKey> WithKid(IReadOnlyList<JsonWebKey> keys, string kid) =>
        keys.Where(k => string.Equals(k.Kid, kid, StringComparison.Ordinal)).ToList();

    /// <summary>
    /// Whether a public key may verify a token signed with <paramref name="alg"/>: ES256/ES384/ES512
    /// need an EC key on P-256/P-384/P-521, RS*/PS* an RSA key of at least 2048 bits; a key's own
    /// <c>use</c>, <c>alg</c> and <c>key_ops</c>, when present, must agree. Symmetric (<c>oct</c>)
    /// keys never qualify, nor does any algorithm outside <see cref="AsymmetricAlgorithms"/>.
    /// </summary>
    public static bool IsUsable(JsonWebKey key, string alg)
    {
        if (!string.IsNullOrEmpty(key.Use) && key.Use != "sig")
        {
            return false;
        }

        if (!string.IsNullOrEmpty(key.Alg) && key.Alg != alg)
        {
            return false;
        }

        if (key.KeyOps.Count > 0 && !key.KeyOps.Contains("verify"))
        {
            return false;
        }

        return alg switch
        {
            SecurityAlgorithms.EcdsaSha256 => IsEc(key, JsonWebKeyECTypes.P256),
            SecurityAlgorithms.EcdsaSha384 => IsEc(key, JsonWebKeyECTypes.P384),
            SecurityAlgorithms.EcdsaSha512 => IsEc(key, JsonWebKeyECTypes.P521),
            SecurityAlgorithms.RsaSha256 or SecurityAlgorithms.RsaSha384 or SecurityAlgorithms.RsaSha512
                or SecurityAlgorithms.RsaSsaPssSha256 or SecurityAlgorithms.RsaSsaPssSha384 =>
                key.Kty == JsonWebAlgorithmsKeyTypes.RSA && !string.IsNullOrEmpty(key.E) && ModulusBits(key.N) >= 2048,
            _ => false,
        };
    }

    private static bool IsEc(JsonWebKey key, string curve) =>
        key.Kty == JsonWebAlgorithmsKeyTypes.EllipticCurve && key.Crv == curve && !string.IsNullOrEmpty(key.X) && !string.IsNullOrEmpty(key.Y);

    private static int ModulusBits(string? n)
    {
        if (string.IsNullOrEmpty(n))
        {
            return 0;
        }

        try
        {
            var bytes = Base64UrlEncoder.DecodeBytes(n);
            var start = 0;
            while (start < bytes.Length && bytes[start] == 0)
            {
                start++;
            }

            return start == bytes.Length ? 0 : ((bytes.Length - start - 1) * 8) + (32 - System.Numerics.BitOperations.LeadingZeroCount((uint)bytes[start]));
        }
        catch (FormatException)
        {
            return 0;
        }
    }
}
