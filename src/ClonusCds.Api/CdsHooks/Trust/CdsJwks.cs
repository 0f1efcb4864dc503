using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace ClonusCds.Api.CdsHooks.Trust;

/// <summary>JWK Set parsing and the key checks shared by static and fetched key sets.</summary>
internal static class CdsJwks
{
    /// <summary>The only signing algorithms accepted (CDS Hooks 2.0 recommends exactly these two).</summary>
    public static readonly IReadOnlyList<string> Algorithms = [SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.RsaSha384];

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

    /// <summary>The keys with this <c>kid</c> (ordinal).</summary>
    public static List<JsonWebKey> WithKid(IReadOnlyList<JsonWebKey> keys, string kid) =>
        keys.Where(k => string.Equals(k.Kid, kid, StringComparison.Ordinal)).ToList();

    /// <summary>
    /// Whether a public key may verify a token signed with <paramref name="alg"/>: ES384 needs an EC
    /// P-384 key, RS384 an RSA key of at least 2048 bits; a key's own <c>use</c>, <c>alg</c> and
    /// <c>key_ops</c>, when present, must agree. Symmetric (<c>oct</c>) keys never qualify.
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
            SecurityAlgorithms.EcdsaSha384 => key.Kty == JsonWebAlgorithmsKeyTypes.EllipticCurve && key.Crv == JsonWebKeyECTypes.P384
                && !string.IsNullOrEmpty(key.X) && !string.IsNullOrEmpty(key.Y),
            SecurityAlgorithms.RsaSha384 => key.Kty == JsonWebAlgorithmsKeyTypes.RSA && !string.IsNullOrEmpty(key.E)
                && ModulusBits(key.N) >= 2048,
            _ => false,
        };
    }

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
