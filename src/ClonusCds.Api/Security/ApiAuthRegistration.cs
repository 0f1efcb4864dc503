using ClonusCds.Api.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

// In the DI namespace, as registration extensions usually are: Program.cs calls it without a using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers bearer-token access to the REST API ("Auth" settings). See docs/security.md.</summary>
internal static class ClonusApiAuthRegistration
{
    /// <summary>
    /// Binds and validates "Auth" at startup (RequireBearer unset means required outside Development;
    /// empty Algorithms means ES384 and RS384), and registers the JwtBearer scheme with
    /// <see cref="ClonusJwtHandler"/> as its token handler, one authorization policy per scope
    /// (named after it) plus <see cref="ApiAuth.AnyTokenPolicy"/>, and <see cref="ApiAuthenticator"/>
    /// for the 401 and 403 answers. Endpoints opt in with <see cref="ApiAuth.RequireClonusScope{TBuilder}"/>;
    /// Program.cs places UseAuthentication and UseAuthorization last, just before the endpoints.
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
        services.AddJwksHttpClient(ApiJwksProvider.HttpClientName, sp => sp.GetRequiredService<IOptions<ApiAuthOptions>>().Value.JwksFetchTimeoutSeconds);

        // No default scheme: only the endpoints whose policy names the JwtBearer scheme run it. With
        // a single scheme registered ASP.NET Core would otherwise make it the default, and the
        // authentication middleware would validate every Authorization header it sees, the CDS
        // Hooks calls' own JWTs included (FeedbackReadAuthTests pins this). The switch is read when
        // the options are created.
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        services.AddAuthentication().AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<ApiAuthOptions>, ApiJwksProvider, TimeProvider>((bearer, auth, keys, time) =>
            {
                var o = auth.Value;
                var policy = new JwtTrustPolicy
                {
                    Algorithms = [.. o.Algorithms],
                    Types = AccessTokenTypes,
                    Issuers = [.. o.Issuers.Select(i => new JwtTrustedIssuer(
                        i.Issuer, string.IsNullOrWhiteSpace(i.JwksUrl) ? [] : [i.JwksUrl], string.IsNullOrWhiteSpace(i.JwksUrl) ? null : i.JwksUrl))],
                    ClockSkew = TimeSpan.FromSeconds(o.ClockSkewSeconds),
                    MaxLifetimeSeconds = o.MaxTokenLifetimeSeconds,
                };
                bearer.TokenValidationParameters = policy.ValidationParameters(string.IsNullOrWhiteSpace(o.Audience) ? [] : [o.Audience]);
                bearer.TokenHandlers.Clear();
                bearer.TokenHandlers.Add(new ClonusJwtHandler(policy, keys, time));
                bearer.EventsType = typeof(ApiAuthenticator);
            });

        var authorization = services.AddAuthorizationBuilder()
            .AddPolicy(ApiAuth.AnyTokenPolicy, p => p.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme).RequireAuthenticatedUser());
        foreach (var scope in (ReadOnlySpan<string>)[Scopes.Assess, Scopes.KnowledgeRead, Scopes.FeedbackRead, Scopes.AuditRead])
        {
            authorization.AddPolicy(scope, p => p.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme).RequireAuthenticatedUser()
                .AddRequirements(new ScopeRequirement(scope)));
        }

        services.AddSingleton<IAuthorizationHandler, ScopeAuthorizationHandler>();
        services.AddSingleton<ApiAuthenticator>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler>(sp => sp.GetRequiredService<ApiAuthenticator>());
        return services;
    }

    /// <summary>Accepted <c>typ</c> headers: JWT, and the RFC 9068 access-token types (case-insensitive; an absent typ is accepted).</summary>
    private static readonly HashSet<string> AccessTokenTypes = new(["JWT", "at+jwt", "application/at+jwt"], StringComparer.OrdinalIgnoreCase);
}
