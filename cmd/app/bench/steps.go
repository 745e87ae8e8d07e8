package bench

import (
	"fmt"
	"math"
)

// Round-2 targets (issue 22): each staff step against baseline (c), and the
// lifecycle against a model built from (a) and (c).
const (
	// StepThroughputTarget: a step's throughput >= 0.80 x (c).
	StepThroughputTarget = 0.80
	// StepP99Target: a step's p99 <= 1.5 x (c)'s p99.
	StepP99Target = 1.5
	// LifecycleModelTarget: lifecycle >= 0.70 x the model. If intake meets
	// its 0.70 x (a) and every step its 0.80 x (c), the lifecycle is at least
	// 1/(1/(0.70a) + k/(0.80c)) >= 0.70 x the model, so the three targets agree.
	LifecycleModelTarget = 0.70
)

// ScenarioSteps are the staff actions each scenario drives, in order.
func ScenarioSteps(prefix string) []string {
	var out []string
	switch prefix {
	case "feedback":
		for _, s := range feedbackSteps {
			out = append(out, s.Action)
		}
	case "applications":
		for _, s := range applicationSteps {
			out = append(out, s.Action)
		}
	}
	return out
}

// LifecycleModel is the lifecycle throughput expected from the baselines:
// one workflow start (a, per second) plus k Updates (c, Updates per second),
// 1/(1/a + k/c). 0 when a baseline is missing.
func LifecycleModel(a, c float64, k int) float64 {
	if a <= 0 || c <= 0 {
		return 0
	}
	return 1 / (1/a + float64(k)/c)
}

// StepTargets records, for every staff step of prefix, its throughput and
// p99 as ratios to baseline (c) with pass/FAIL, and the lifecycle against
// LifecycleModel. A step series' per s is cases per second through the
// staff phase, where each case takes k steps one after the other, so k
// times it is the step's share of Updates per second — the unit of (c).
func (r *Report) StepTargets(prefix string) {
	c, ok := r.Find(BaselineC)
	if !ok || c.PerSecond == 0 {
		return
	}
	if r.Ratios == nil {
		r.Ratios = map[string]float64{}
	}
	if r.Targets == nil {
		r.Targets = map[string]string{}
	}
	steps := ScenarioSteps(prefix)
	k := len(steps)
	cp99 := c.LatencyMS["p99"]
	for _, st := range steps {
		x, ok := r.Find(prefix + "_" + st)
		if !ok {
			continue
		}
		tr := round(x.PerSecond*float64(k)/c.PerSecond, 3)
		r.Ratios[prefix+"_"+st+"/baseline_c"] = tr
		r.Targets[fmt.Sprintf("%s step %s >= 0.80 x (c)", prefix, st)] = fmt.Sprintf("%.2f %s", tr, verdict(x.Errors == 0 && tr >= StepThroughputTarget))
		if cp99 > 0 && x.LatencyMS != nil {
			pr := round(x.LatencyMS["p99"]/cp99, 3)
			r.Ratios[prefix+"_"+st+"_p99/baseline_c_p99"] = pr
			r.Targets[fmt.Sprintf("%s step %s p99 <= 1.5 x (c) p99", prefix, st)] = fmt.Sprintf("%.0f ms / %.0f ms = %.2f %s",
				x.LatencyMS["p99"], cp99, pr, verdict(pr <= StepP99Target))
		}
	}
	a, ok := r.Find(BaselineA)
	life, ok2 := r.Find(prefix + "_lifecycle")
	if !ok || !ok2 {
		return
	}
	m := LifecycleModel(a.PerSecond, c.PerSecond, k)
	if m == 0 {
		return
	}
	v := round(life.PerSecond/m, 3)
	r.Ratios[prefix+"_lifecycle_model_per_s"] = round(m, 2)
	r.Ratios[prefix+"_lifecycle/model"] = v
	r.Targets[fmt.Sprintf("%s lifecycle >= 0.70 x model 1/(1/a+%d/c) = %.1f/s", prefix, k, m)] = fmt.Sprintf("%.1f/s = %.2f %s",
		life.PerSecond, v, verdict(life.Errors == 0 && v >= LifecycleModelTarget && !math.IsNaN(v)))
}
