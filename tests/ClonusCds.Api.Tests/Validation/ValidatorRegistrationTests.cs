using ClonusCds.Api.Assessments;
using ClonusCds.Core.Model;
using FluentValidation;
using Microsoft.Extensions.DependencyInjection;

namespace ClonusCds.Api.Tests.Validation;

/// <summary>Validators are registered by FluentValidation's DI extensions (ADR 0005), once, as singletons.</summary>
public sealed class ValidatorRegistrationTests(ClonusApiFactory factory) : IClassFixture<ClonusApiFactory>
{
    [Fact]
    public void The_patient_context_validator_is_registered_once_as_a_singleton()
    {
        var services = factory.Services;
        var first = services.GetRequiredService<IValidator<PatientContext>>();
        var second = services.GetRequiredService<IValidator<PatientContext>>();

        Assert.IsType<PatientContextValidator>(first);
        Assert.Same(first, second);
        Assert.Single(services.GetServices<IValidator<PatientContext>>());
    }
}
