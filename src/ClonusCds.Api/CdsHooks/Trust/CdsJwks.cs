using ClonusCds.Api.Security;
using Microsoft.IdentityModel.Tokens;

namespace ClonusCds.Api.CdsHooks.Trust;

/// <summary>The CDS Hooks view of the shared JWK Set helpers (<see cref="JwkSets"/>): only ES384 and RS384.</summary>
internal static class CdsJwks
{
    /// <summary>The only signing algorithms accepted (CDS Hooks 2.0 recommends exactly these two).</summary>
    public static readonly IReadOnlyList<string> Algorithms = [SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.RsaSha384];

    /// <summary>Parses a JWK Set; false (with a short reason, never key material) when it is not one.</summary>
    public static bool TryParse(string json, out IReadOnlyList<JsonWebKey> keys, out string? error) => JwkSets.TryParse(json, out keys, out error);

    /// <summary>
    /// Whether a public key may verify a CDS Hooks token signed with <paramref name="alg"/>: ES384 needs
    /// an EC P-384 key, RS384 an RSA key of at least 2048 bits (see <see cref="JwkSets.IsUsable"/>);
    /// any other algorithm never qualifies here.
    /// </summary>
    public static bool IsUsable(JsonWebKey key, string alg) => Algorithms.Contains(alg, StringComparer.Ordinal) && JwkSets.IsUsable(key, alg);
}
