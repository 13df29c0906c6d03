import Detection
import Foundation
import LossLanguage

/// One training of the asynchronous schedule: a candidate at a stage.
struct AsyncTraining {
    var candidate: Screened
    var generation: Int
    var stage: TrainingStage

    var arrival: Arrival { Arrival(generation: generation, slot: candidate.slot, stage: stage) }
}

extension Arrival {
    /// The baseline's proxy training, which the asynchronous schedule runs beside the first
    /// candidates' trainings: where it arrives among them decides when the hurdles have its bars.
    static let baselineProxy = Arrival(generation: -1, slot: 0, stage: .proxy)
}

/// What the asynchronous schedule knows between two arrivals.
struct AsyncState {
    /// Candidates bred so far (each a survivor of screening), of `total`.
    var bred = 0
    let total: Int
    /// No more can be bred: all were, or screening found no new candidate.
    var breedingEnded = false
    /// The known losses that start the run, first of the bred.
    var seeds: [Expr]
    /// Screening attempts so far in each group of `population` candidates (their slots).
    var attempts: [Int: Int] = [:]
    /// MOS results so far, by AP (a diverged training at minus infinity): the rung that the
    /// proxy stage promotes from.
    var mosScores: [Double] = []
    /// Candidates that cleared MOS's bar and wait for the proxy stage, with their MOS AP.
    var waiting: [(training: AsyncTraining, ap: Double)] = []
    var promoted = 0
    /// Budget units the trainings under way are reckoned to cost.
    var reserved = Trainings.zero
    /// MOS results that arrived (a progress line each `population` of them).
    var mosArrivals = 0
    /// Results that arrived in this process after the replay of the record ended.
    var liveArrivals = 0
    /// Candidates bred and screened ahead, while the workers trained, for the next freed
    /// workers (with their group).
    var ready: [(Screened, Int)] = []

    /// Nothing more to train at MOS: all bred, and none waits bred ahead.
    var nothingToBreed: Bool { breedingEnded && ready.isEmpty }
}

extension Evolution {
    /// The live population a parent is drawn from (the latest proxy results; with islands,
    /// each island's own), and the tournament's size: with the defaults (population 16, top-P 4), 4 drawn from the last 16,
    /// so that the best of a quarter breeds, as top-P of a generation's 16 does.
    var livePopulation: Int { options.population }
    var tournamentSize: Int { max(2, options.population / max(1, options.topP)) }

    /// The asynchronous schedule (`Schedule.async`): whenever a worker frees, it gets the most
    /// useful next training: a candidate whose MOS result ranks it into the top K/population of
    /// all MOS results so far (asynchronous successive halving, Li et al. 2020: promote as soon
    /// as the rank says so), else a new candidate bred by tournament from the live population
    /// and screened, to MOS. Without MOS, each new candidate goes to the proxy task at once.
    ///
    /// Its course depends on the order results arrive in: with one job, the order they were
    /// started in (reproducible by seed); with more, the store keeps the order (`arrivals`), and
    /// a resumed run replays it (each recorded training taken from the store) before it goes on.
    /// Returns why it ended.
    func runAsync() throws -> String {
        var state = AsyncState(total: options.generations * options.population,
                               seeds: options.seedWithKnownLosses ? breeder.seeds : [])
        let pool = scheduler.pool()
        var replay = try store.arrivals()
        var replayed = 0
        var running: [Int: AsyncTraining] = [:]
        var ids: [Arrival: Int] = [:]
        var nextID = 0
        var failure: Error?
        let trainings = trainings, clock = clock
        // The baseline's proxy training takes the first worker, and the others start candidates
        // beside it: on 64 workers a baseline trained first left 63 of them idle for a proxy
        // training's time. A run whose store has its result but no arrival of it (an ablation
        // arm given another arm's baseline, a store from before) takes it before it starts.
        if try !replay.contains(.baselineProxy) && trainings.storedBaseline(.proxy) != nil {
            try measureBaseline(.proxy)
        } else {
            ids[.baselineProxy] = nextID
            pool.submit(nextID) { try trainings.baseline(.proxy) }
            nextID += 1
        }
        while true {
            // An error (the store's, a stop while screening) starts nothing more; the trainings
            // under way end first, so that none outlives the run.
            while failure == nil && !stop.isRequested && !pool.isFull {
                let next: AsyncTraining?
                do { next = try nextTraining(&state) } catch {
                    failure = error
                    break
                }
                guard let t = next else { break }
                state.reserved += budget.reserve(t.stage)
                let hurdles = t.stage == .proxy ? hurdleBars() : nil
                let bar = mosBar
                let judge = { [options, baselineMOS] (r: EvaluationResult) in
                    Self.verdict(r, stage: t.stage, bar: bar, options: options, baselineMOS: baselineMOS)
                }
                running[nextID] = t
                ids[t.arrival] = nextID
                pool.submit(nextID) {
                    let r = try trainings.candidate(t.candidate, stage: t.stage, generation: t.generation, hurdles: hurdles, judge: judge)
                    clock.pace.add(r.seconds / r.cost, stage: t.stage)
                    return r
                }
                nextID += 1
            }
            // While the workers train: the next candidates bred and screened ahead, so that a
            // freed worker starts at once (on Slurm, breeding and the store's writes between a
            // result and the next submission left a sixth of the slots idle). How many is fixed
            // by the jobs, so that a resumed run breeds ahead at the same points.
            if failure == nil && !stop.isRequested {
                do { try breedAhead(&state, jobs: pool.jobs) } catch { failure = error }
            }
            // Replaying: the training whose result came next in the first run, while it runs
            // here too (a resume with other jobs can part from the record: it goes on live).
            var expected: Int?
            if replayed < replay.count {
                if let id = ids[replay[replayed]] {
                    expected = id
                } else {
                    do { try store.forgetArrivals(from: replayed) } catch { failure = failure ?? error }
                    replay.removeAll()
                }
            }
            guard let done = pool.next(expected: expected) else { break }
            let t = running.removeValue(forKey: done.id)
            let arrival = t?.arrival ?? .baselineProxy
            ids[arrival] = nil
            if let t { state.reserved = state.reserved - budget.reserve(t.stage) }
            switch done.outcome {
            case .failure(let error):
                failure = failure ?? error
            case .success(let r):
                if expected != nil {
                    replayed += 1
                } else {
                    do { try store.recordArrival(arrival, at: replayed + state.liveArrivals) } catch { failure = failure ?? error }
                    state.liveArrivals += 1
                }
                if let t {
                    absorb(r, of: t, endedAt: done.endedAt, &state)
                } else {
                    do { try takeBaseline(r, stage: .proxy) } catch { failure = failure ?? error }
                }
            }
        }
        if let failure { throw failure }
        if let signal = stop.signalNumber { throw SearchStopped(signal: signal) }
        return budgetExhausted() ?? "all \(state.total) candidates bred (\(options.generations) generations of \(options.population))"
    }

    /// The next training to start, or nil where none may start now: a promotion first, then a
    /// new candidate.
    func nextTraining(_ state: inout AsyncState) throws -> AsyncTraining? {
        if options.usesMOS, proxyMayStart, let k = promotable(state), budget.mayStart(.proxy, reserved: state.reserved), clock.mayStart(.proxy) {
            var t = state.waiting.remove(at: k).training
            t.stage = .proxy
            state.promoted += 1
            return t
        }
        let stage: TrainingStage = options.usesMOS ? .mos : .proxy
        guard !state.nothingToBreed, stage == .mos || proxyMayStart, budget.mayStart(stage, reserved: state.reserved), clock.mayStart(stage)
        else { return nil }
        guard let (candidate, g) = try nextBred(&state, stage: stage) else { return nil }
        return AsyncTraining(candidate: candidate, generation: g, stage: stage)
    }

    /// The next bred candidate to train at `stage`: the first bred ahead, else a new one. The
    /// baseline's own formula waits in `ready` while the baseline's proxy training, whose result
    /// it takes, is under way (without MOS it would go to the proxy at once and train twice).
    func nextBred(_ state: inout AsyncState, stage: TrainingStage) throws -> (Screened, Int)? {
        let pending = stage == .proxy ? awaitingBaseline : nil
        if let k = state.ready.firstIndex(where: { $0.0.canonical != pending }) { return state.ready.remove(at: k) }
        while let bred = try breed(&state) {
            if bred.0.canonical != pending { return bred }
            state.ready.append(bred)
        }
        return nil
    }

    /// Whether a candidate's proxy training may start while the baseline's is under way: not
    /// under a time limit before a proxy training's length is known (the plan's, or the
    /// baseline's when it ends), so that none starts that would end after the limit.
    var proxyMayStart: Bool { baselineProxy != nil || clock.knowsLength(.proxy) }

    /// The canonical form of the baseline's own formula while the baseline's proxy training is
    /// under way (nil once its result is in): a candidate of that formula waits to take it.
    var awaitingBaseline: String? { baselineProxy == nil ? trainings.losses.baselineCanonical : nil }

    /// Breeds up to one candidate ahead per 8 jobs (none at one job: a serial run breeds each
    /// from every result before it).
    func breedAhead(_ state: inout AsyncState, jobs: Int) throws {
        let ahead = jobs > 1 ? max(1, jobs / 8) : 0
        let stage: TrainingStage = options.usesMOS ? .mos : .proxy
        while state.ready.count < ahead && !state.breedingEnded && budget.mayStart(stage, reserved: state.reserved) {
            guard let bred = try breed(&state) else { return }
            state.ready.append(bred)
        }
    }

    /// The waiting candidate to promote now, if one may be: the best by MOS AP (the earliest
    /// of equals), while the promoted stay within the top K/population of the MOS results so
    /// far and it ranks among them; once no more can be bred, the best left, up to that share.
    func promotable(_ state: AsyncState) -> Int? {
        let awaiting = awaitingBaseline
        guard let best = state.waiting.indices.filter({ state.waiting[$0].training.candidate.canonical != awaiting })
            .max(by: { state.waiting[$0].ap < state.waiting[$1].ap || (state.waiting[$0].ap == state.waiting[$1].ap && $0 > $1) })
        else { return nil }
        let share = state.mosScores.count * options.topK / max(1, options.population)
        guard state.promoted < share else { return nil }
        // No more to breed (or no budget for their MOS): the best left, up to the share.
        if state.nothingToBreed || !budget.mayStart(.mos, reserved: state.reserved) { return best }
        let above = state.mosScores.filter { $0 > state.waiting[best].ap }.count
        return above < share ? best : nil
    }

    /// Breeds and screens until a candidate survives; returns it with its group (the
    /// generation it is stored under), or nil where screening found none.
    func breed(_ state: inout AsyncState) throws -> (Screened, Int)? {
        let n = state.bred
        let g = n / options.population
        var rng = SplitMix64(seed: options.seed &* 0x9E37_79B9 &+ UInt64(n) &* 0x85EB_CA6B &+ 0xA5)
        // Islands take turns, so that each breeds as often as the others.
        let islands = options.islands ?? 1, island = n % islands
        let parents = [population.tournament(live: livePopulation, size: tournamentSize, island: island, islands: islands, using: &rng),
                       population.tournament(live: livePopulation, size: tournamentSize, island: island, islands: islands, using: &rng)]
            .compactMap { $0 }
        let (survivors, nextSlot) = try screen(generation: g, firstSlot: state.attempts[g, default: 0], parents: parents,
                                               seeds: &state.seeds, wanted: 1, attempts: options.screeningAttempts, using: &rng)
        state.attempts[g] = nextSlot
        state.bred += 1
        if state.bred >= state.total { state.breedingEnded = true }
        guard let s = survivors.first else {
            state.breedingEnded = true
            return nil
        }
        if islands > 1 { population.assign(s.expr, island: island) }
        return (s, g)
    }

    /// Takes a result that arrived into the run.
    func absorb(_ r: EvaluationResult, of t: AsyncTraining, endedAt: TimeInterval, _ state: inout AsyncState) {
        switch t.stage {
        case .mos:
            if r.status != .failed { state.mosScores.append(r.ap ?? -.infinity) }
            if let ap = absorbMOS(r, of: t.candidate) { state.waiting.append((t, ap)) }
            state.mosArrivals += 1
            if state.mosArrivals % options.population == 0 { report(progress(generation: state.mosArrivals / options.population - 1)) }
        case .proxy:
            absorbProxy(r, of: t.candidate, generation: t.generation, elapsed: endedAt)
            if !options.usesMOS && funnel.proxyEvaluated % options.population == 0 {
                report(progress(generation: funnel.proxyEvaluated / options.population - 1))
            }
        }
    }
}
