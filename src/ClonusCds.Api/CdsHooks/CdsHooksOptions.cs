namespace ClonusCds.Api.CdsHooks;

/// <summary>CDS Hooks settings (configuration section "CdsHooks"). See docs/cds-hooks.md.</summary>
public sealed class CdsHooksOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "CdsHooks";

    /// <summary>
    /// The public base URL clients call (e.g. https://cds.example.org), without a trailing slash. JWT
    /// <c>aud</c> must equal this plus the endpoint path; card source URLs are built from it. When
    /// empty, the request's own scheme and host are used (Development only: JWT trust requires it).
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Fetching missing prefetch from the client's FHIR server.</summary>
    public FhirFetchOptions Fhir { get; set; } = new();

    /// <summary>How old an observation may be, relative to the newest observation in the record, and still describe this episode.</summary>
    public double EpisodeWindowHours { get; set; } = 72;

    /// <summary>Findings older than this (relative to now) are flagged as stale on the card.</summary>
    public double StaleAfterHours { get; set; } = 72;
}

/// <summary>Settings for the FHIR fetch path.</summary>
public sealed class FhirFetchOptions
{
    /// <summary>
    /// The time budget of each FHIR read, retries and the body included: the resilience pipeline's
    /// total timeout, and the bound on reading the body.
    /// </summary>
    public double TimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// Timeout of one attempt within <see cref="TimeoutSeconds"/>. Unset: the whole budget, so a
    /// slow answer is waited for and only fast failures are retried.
    /// </summary>
    public double? AttemptTimeoutSeconds { get; set; }

    /// <summary>
    /// Retries of a read that failed fast (connection refused or reset, 502, 503, 504), within the
    /// budget: 0–2, default 1. Never for an address the policy refused, a 4xx, or a timeout of the budget.
    /// </summary>
    public int MaxRetries { get; set; } = 1;

    /// <summary>Most searchset pages followed per prefetch key.</summary>
    public int MaxPages { get; set; } = 10;

    /// <summary>
    /// fhirServer base URLs the service may call (prefix match). Empty: any https server; also any
    /// http server when <see cref="AllowHttp"/> is set.
    /// </summary>
    public List<string> AllowedServers { get; set; } = [];

    /// <summary>Allow plain-http FHIR servers (local tries and tests only; the spec requires https for production data).</summary>
    public bool AllowHttp { get; set; }

    /// <summary>Allow connecting to loopback addresses (development and tests only; off by default).</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>
    /// FHIR server host names that may resolve to private addresses (RFC 1918, CGNAT, link-local,
    /// unique-local): a hospital's FHIR server is usually on a private network. Empty by default:
    /// private addresses are refused.
    /// </summary>
    public List<string> AllowedPrivateHosts { get; set; } = [];
}
