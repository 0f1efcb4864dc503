using ClonusCds.Core.Model;
using FluentValidation;

namespace ClonusCds.Api.Assessments;

/// <summary>
/// Ranges, required fields, list and string limits from the contract (shared/contract/api-v1.md).
/// Types, enum values and unknown properties are already enforced by the JSON reader.
/// </summary>
internal sealed class PatientContextValidator : AbstractValidator<PatientContext>
{
    public const int MaxMedications = 100;
    public const int MaxConditions = 100;
    public const int MaxTreatments = 50;
    public const int MaxText = 200;
    public const int MaxCodeLength = 64;
    public const int MaxEnumList = 16;

    public PatientContextValidator()
    {
        RuleFor(x => x.Clonus).NotNull().WithMessage("clonus is required: at least { \"present\": true|false }.");
        When(x => x.Clonus is not null, () =>
        {
            RuleFor(x => x.Clonus!.Present).NotNull().WithMessage("clonus.present is required (true or false).");
            RuleFor(x => x.Clonus!.Beats).InclusiveBetween(0, 1000);
            RuleFor(x => x.Clonus!.DurationHours).InclusiveBetween(0, 1_000_000);
            RuleFor(x => x.Clonus!.Sites).Must(l => l is null || l.Count <= MaxEnumList).WithMessage($"At most {MaxEnumList} items.");
            RuleFor(x => x.Clonus!.Types).Must(l => l is null || l.Count <= MaxEnumList).WithMessage($"At most {MaxEnumList} items.");
        });

        When(x => x.Patient is not null, () =>
        {
            RuleFor(x => x.Patient!.AgeYears).InclusiveBetween(0, 120);
            RuleFor(x => x.Patient!.GestationalAgeWeeks).InclusiveBetween(1, 45);
            RuleFor(x => x.Patient!.GestationalAgeWeeks).Null()
                .When(x => x.Patient!.Pregnant == false)
                .WithMessage("gestationalAgeWeeks is given but pregnant is false.");
            RuleFor(x => x.Patient!.Egfr).InclusiveBetween(0, 200);
        });

        When(x => x.Vitals is not null, () =>
        {
            RuleFor(x => x.Vitals!.TemperatureC).InclusiveBetween(25, 45);
            RuleFor(x => x.Vitals!.HeartRateBpm).InclusiveBetween(20, 300);
            RuleFor(x => x.Vitals!.SystolicBp).InclusiveBetween(20, 300);
            RuleFor(x => x.Vitals!.DiastolicBp).InclusiveBetween(20, 300);
            RuleFor(x => x.Vitals!.RespiratoryRate).InclusiveBetween(0, 80);
            RuleFor(x => x.Vitals!.Spo2Percent).InclusiveBetween(0, 100);
        });

        When(x => x.Labs is not null, () =>
        {
            RuleFor(x => x.Labs!.CreatineKinaseUPerL).InclusiveBetween(0, 10_000_000);
            RuleFor(x => x.Labs!.LithiumMmolPerL).InclusiveBetween(0, 100);
            RuleFor(x => x.Labs!.AmmoniaUmolPerL).InclusiveBetween(0, 100_000);
            RuleFor(x => x.Labs!.SodiumMmolPerL).InclusiveBetween(0, 1_000);
            RuleFor(x => x.Labs!.BicarbonateMmolPerL).InclusiveBetween(0, 1_000);
            RuleFor(x => x.Labs!.CreatinineMgPerDl).InclusiveBetween(0, 1_000);
            RuleFor(x => x.Labs!.Inr).InclusiveBetween(0, 100);
        });

        RuleFor(x => x.Medications).Must(l => l is null || l.Count <= MaxMedications).WithMessage($"At most {MaxMedications} medications.");
        RuleForEach(x => x.Medications).NotNull().WithMessage("Items must not be null.").ChildRules(m =>
        {
            m.RuleFor(x => x.Name).NotEmpty().WithMessage("name is required.").MaximumLength(MaxText);
            m.RuleFor(x => x.Rxcui).Matches("^[0-9]{1,12}$").WithMessage("rxcui must be 1–12 digits.");
            m.RuleFor(x => x.DaysSinceChange).InclusiveBetween(0, 36_500);
            m.RuleFor(x => x.Dose).MaximumLength(MaxText);
        });

        RuleFor(x => x.Conditions).Must(l => l is null || l.Count <= MaxConditions).WithMessage($"At most {MaxConditions} conditions.");
        RuleForEach(x => x.Conditions).NotNull().WithMessage("Items must not be null.").ChildRules(c =>
        {
            c.RuleFor(x => x).Must(x => x.Category is not null || !string.IsNullOrWhiteSpace(x.Code) || !string.IsNullOrWhiteSpace(x.Display))
                .WithName("category").WithMessage("Each condition needs at least one of category, code or display.");
            c.RuleFor(x => x.Code).MaximumLength(MaxCodeLength);
            c.RuleFor(x => x.System).MaximumLength(MaxText)
                .Must(s => s is null || Uri.TryCreate(s, UriKind.Absolute, out _)).WithMessage("system must be an absolute URI, e.g. http://hl7.org/fhir/sid/icd-10-cm or http://snomed.info/sct.");
            c.RuleFor(x => x.System).NotEmpty().When(x => !string.IsNullOrWhiteSpace(x.Code) && x.System is not null);
            c.RuleFor(x => x.Display).MaximumLength(MaxText);
        });

        RuleFor(x => x.TreatmentHistory).Must(l => l is null || l.Count <= MaxTreatments).WithMessage($"At most {MaxTreatments} treatments.");
        RuleForEach(x => x.TreatmentHistory).NotNull().WithMessage("Items must not be null.").ChildRules(t =>
        {
            t.RuleFor(x => x.Treatment).NotEmpty().WithMessage("treatment is required.").MaximumLength(MaxText);
        });
    }
}
