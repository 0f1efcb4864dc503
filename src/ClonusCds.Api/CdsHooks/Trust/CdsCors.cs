using Microsoft.Extensions.DependencyInjection.Extensions;
using ClonusCds.Api.Security;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace ClonusCds.Api.CdsHooks.Trust;

/// <summary>
/// Registers CDS Hooks trust: the JWT check on CDS Service calls (<see cref="CdsJwtFilter"/>) and the
/// CORS policy for browser-based CDS Clients. Both read their settings lazily from the final
/// configuration and are validated at startup. See docs/cds-hooks.md.
/// </summary>
internal static class CdsCors
{
    /// <summary>Name of the CORS policy the /cds-services group requires.</summary>
    public const string Policy = "cds-hooks";

    public static IServiceCollection AddCdsHooksTrust(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        // Settings and environment are read from the container when the options are first built, so
        // overrides added after this call (tests, hosting) are honoured; the arguments are kept for
        // the registration's signature.
        _ = configuration;
        _ = environment;

        services.AddOptions<CdsTrustOptions>()
            .BindConfiguration(CdsTrustOptions.Section)
            .Configure<IConfiguration>((o, config) => o.PublicBaseUrl = config[$"{CdsHooksOptions.Section}:{nameof(CdsHooksOptions.PublicBaseUrl)}"])
            .PostConfigure<IHostEnvironment>((o, env) => o.RequireJwt ??= !env.IsDevelopment())
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<CdsTrustOptions>, CdsTrustOptionsValidator>();

        // The replay store: shared on PostgreSQL when Storage:Provider is postgres (registered by
        // AddClonusStorage), else this in-memory cache (TryAdd: the shared store wins).
        services.TryAddSingleton<IJtiReplayStore, CdsJtiReplayCache>();
        services.AddSingleton<CdsJwksProvider>();
        services.AddSingleton<CdsJwtValidator>();
        services.AddSingleton<CdsJwtFilter>();
        // jku fetches: no redirects (a redirect could lead off the jku allow-list), no cookies, short timeout.
        services.AddJwksHttpClient(CdsJwksProvider.HttpClientName,
            sp => sp.GetRequiredService<IOptions<CdsTrustOptions>>().Value.JwksFetchTimeoutSeconds);

        services.AddOptions<CdsCorsOptions>()
            .BindConfiguration(CdsCorsOptions.Section)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<CdsCorsOptions>, CdsCorsOptionsValidator>();
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<CdsCorsOptions>>((cors, cds) => cors.AddPolicy(Policy, BuildPolicy(cds.Value)));
        return services;
    }

    /// <summary>
    /// Exact origins, no credentials (the JWT travels in the Authorization header, not a cookie),
    /// GET/POST/OPTIONS, the Authorization and Content-Type request headers, nothing extra exposed.
    /// </summary>
    internal static CorsPolicy BuildPolicy(CdsCorsOptions options) => new CorsPolicyBuilder()
        .WithOrigins([.. options.AllowedOrigins.Select(o => o.TrimEnd('/'))])
        .WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Options)
        .WithHeaders("Authorization", "Content-Type")
        .DisallowCredentials()
        .SetPreflightMaxAge(TimeSpan.FromSeconds(options.PreflightMaxAgeSeconds))
        .Build();
}
