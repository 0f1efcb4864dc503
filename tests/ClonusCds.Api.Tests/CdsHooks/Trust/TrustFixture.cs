using System.Security.Cryptography;

namespace ClonusCds.Api.Tests.CdsHooks.Trust;

/// <summary>
/// One API instance with JWT trust on, shared by the trust tests: an ES384 issuer with a static JWK
/// Set, an RS384 issuer with a JWK Set file, and a jku issuer whose JWK Set a loopback server serves.
/// </summary>
public sealed class TrustFixture : IAsyncLifetime
{
    public const string EsIssuer = "https://ehr-es.test";
    public const string RsIssuer = "https://ehr-rs.test";
    public const string JkuIssuer = "https://ehr-jku.test";
    public const string EsKid = "es-1";
    public const string P256Kid = "p256-1";
    public const string RsKid = "rs-1";
    public const string JkuKid = "jku-1";

    private readonly string _rsJwksPath = Path.Combine(Path.GetTempPath(), $"clonus-rs-jwks-{Guid.NewGuid():N}.json");

    public ECDsa EsKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP384);

    /// <summary>A P-256 key listed under the ES issuer: never usable for ES384.</summary>
    public ECDsa P256Key { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public RSA RsKey { get; } = RSA.Create(2048);

    public ECDsa JkuKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP384);

    public string EsJwks => TrustKit.Jwks(TrustKit.EcJwk(EsKey, EsKid), TrustKit.EcJwk(P256Key, P256Kid, alg: "ES256", crv: "P-256"));

    public LoopbackJwksServer Jwks { get; private set; } = null!;

    public TrustApiFactory Factory { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_rsJwksPath, TrustKit.Jwks(TrustKit.RsaJwk(RsKey, RsKid)));
        Jwks = await LoopbackJwksServer.StartAsync(TrustKit.Jwks(TrustKit.EcJwk(JkuKey, JkuKid)));
        Factory = new TrustApiFactory(new Dictionary<string, string?>
        {
            ["CdsHooks:PublicBaseUrl"] = TrustKit.PublicBaseUrl,
            ["CdsHooks:Trust:RequireJwt"] = "true",
            ["CdsHooks:Trust:Issuers:0:Issuer"] = EsIssuer,
            ["CdsHooks:Trust:Issuers:0:Jwks"] = EsJwks,
            ["CdsHooks:Trust:Issuers:1:Issuer"] = RsIssuer,
            ["CdsHooks:Trust:Issuers:1:JwksPath"] = _rsJwksPath,
            ["CdsHooks:Trust:Issuers:2:Issuer"] = JkuIssuer,
            ["CdsHooks:Trust:Issuers:2:JkuAllowList:0"] = Jwks.ListedUrl,
            ["CdsHooks:Cors:AllowedOrigins:0"] = TrustKit.AllowedOrigin,
        });
        Client = Factory.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        await Jwks.DisposeAsync();
        EsKey.Dispose();
        P256Key.Dispose();
        RsKey.Dispose();
        JkuKey.Dispose();
        File.Delete(_rsJwksPath);
    }
}
