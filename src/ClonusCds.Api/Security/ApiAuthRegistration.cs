using ClonusCds.Api.Security;
using Microsoft.Extensions.Options;

// In the DI namespace, as registration extensions usually are: Program.cs calls it without a using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers bearer-token access to the REST API ("Auth" settings). See docs/security.md.</summary>
internal static class ClonusApiAuthRegistration
{
    /// <summary>
    /// Binds and validates "Auth" at startup (RequireBearer unset means required outside Development;
    /// empty Algorithms means ES384 and RS384) and registers the authenticator the endpoints use
    /// (<see cref="ApiAuth.RequireClonusScope{TBuilder}"/>).
    /// </summary>
    public static IServiceCollection AddClonusApiAuth(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        // As for CDS Hooks trust: settings and environment are read from the container when the options
        // are first built, so overrides added after this call (tests, hosting) are honoured.
        _ = configuration;
        _ = environment;

        services.AddOptions<ApiAuthOptions>()
            .BindConfiguration(ApiAuthOptions.Section)
            .PostConfigure<IHostEnvironment>((o, env) =>
            {
                o.RequireBearer ??= !env.IsDevelopment();
                if (o.Algorithms.Count == 0)
                {
                    // Defaulted here, not in the property initialiser: the binder appends to a list, it does not replace it.
                    o.Algorithms.AddRange(ApiAuthOptions.DefaultAlgorithms);
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ApiAuthOptions>, ApiAuthOptionsValidator>();
        services.AddSingleton<ApiJwksProvider>();
        services.AddSingleton<ApiAuthenticator>();
        services.AddJwksHttpClient(ApiJwksProvider.HttpClientName, sp => sp.GetRequiredService<IOptions<ApiAuthOptions>>().Value.JwksFetchTimeoutSeconds);
        return services;
    }
}
