import { useEffect, useId, useState } from 'react';
import { api } from '../api';
import { useChannel, useJob, useLive, waitForJob } from '../live';
import type { components } from '../generated/api';
import type { Knob } from '../types';
import { ErrorNote, Panel, useAction } from './common';
import { CompactTable } from './parts/CompactTable';

/** Knobs whose values are a fixed set get a select; the rest a text box PostgreSQL or the lab validates. */
const CHOICES: Record<string, string[]> = {
  data_layer: ['pg', 'prisma'],
  prepared_statements: ['on', 'off'],
  synchronous_commit: ['on', 'off', 'local', 'remote_write', 'remote_apply'],
};

const APPLIES: Record<Knob['applies'], string> = {
  live: 'live: the next request',
  reload: 'reload: every shard re-reads it',
  restart: 'restart: the lab restarts the shards',
  fixed: 'fixed while the lab runs',
};

type Profile = components['schemas']['Profile'];

/** The tuning knobs: value, default, where set (here and in the original), how a change applies; set or reset each. */
export default function Knobs() {
  const [knobs, setKnobs] = useState<Knob[]>([]);
  const load = useAction(async () => setKnobs((await api<{ knobs: Knob[] }>('GET', '/lab/v1/tuning/knobs')).knobs));
  const turn = useAction(async (name: string, value: string | null) =>
    setKnobs((await api<{ knobs: Knob[] }>('PUT', `/lab/v1/tuning/knobs/${encodeURIComponent(name)}`, { value })).knobs),
  );
  const resetAll = useAction(async () => setKnobs((await api<{ knobs: Knob[] }>('POST', '/lab/v1/tuning/knobs/reset')).knobs));
  const [profiles, setProfiles] = useState<Profile[]>([]);
  const [profile, setProfile] = useState('original-after');
  const [saveAs, setSaveAs] = useState('');
  const ids = { profile: useId(), save: useId() };
  const loadProfiles = useAction(async () => setProfiles((await api<{ profiles: Profile[] }>('GET', '/lab/v1/tuning/profiles')).profiles));
  const applyProfile = useAction(async () =>
    setKnobs((await api<{ knobs: Knob[] }>('POST', `/lab/v1/tuning/profiles/${encodeURIComponent(profile)}/apply`)).knobs),
  );
  const saveProfile = useAction(async () => {
    await api<Profile>('POST', '/lab/v1/tuning/profiles', { name: saveAs.trim() });
    setProfile(saveAs.trim());
    setSaveAs('');
    await loadProfiles.run();
  });
  const chosen = profiles.find((p) => p.name === profile);
  const live = useLive();
  const [restartId, setRestartId] = useState<string | null>(null);
  const restartJob = useJob(restartId);
  const restart = useAction(async () => {
    const { job_id } = await api<{ job_id: string }>('POST', '/lab/v1/tuning/restart');
    setRestartId(job_id);
    const done = await waitForJob(live, job_id);
    if (done.state !== 'succeeded') throw new Error(done.error?.message ?? `The restart ended ${done.state}.`);
    await load.run();
  });
  const pending = knobs.filter((k) => k.needs_restart);

  // biome-ignore lint/correctness/useExhaustiveDependencies: loads once on mount; load is a new function each render
  useEffect(() => {
    void load.run();
    void loadProfiles.run();
  }, []);
  // A change from the terminal, the CLI or another tab arrives as new settings.
  useChannel('settings', () => void load.run());

  const busy = turn.busy || resetAll.busy || applyProfile.busy;
  return (
    <Panel
      title="Tuning knobs"
      className="knobs"
      actions={
        <button type="button" onClick={() => void resetAll.run()} disabled={busy}>
          Reset all knobs
        </button>
      }
    >
      <div className="row knob-profiles">
        <span className="field">
          <label htmlFor={ids.profile}>Profile</label>
          <select id={ids.profile} value={profile} onChange={(e) => setProfile(e.target.value)}>
            {profiles.map((p) => (
              <option key={p.name} value={p.name}>
                {p.title}
              </option>
            ))}
          </select>
        </span>
        <button type="button" onClick={() => void applyProfile.run()} disabled={busy || !chosen}>
          Apply profile
        </button>
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            void saveProfile.run();
          }}
        >
          <label htmlFor={ids.save}>Save the knobs now as</label>
          <input id={ids.save} value={saveAs} size={12} placeholder="my-profile" onChange={(e) => setSaveAs(e.target.value)} />
          <button type="submit" disabled={saveProfile.busy || saveAs.trim() === ''}>
            Save
          </button>
        </form>
      </div>
      {chosen && (
        <p className="muted small">
          {chosen.description}
          {chosen.not_applied.length > 0 && ` Not applied here: ${chosen.not_applied.map((n) => `${n.knob} ${n.value} (${n.why})`).join('; ')}.`}
        </p>
      )}
      {(pending.length > 0 || restart.busy) && (
        <div className="row knob-restart" role="status">
          <span>
            <strong>Needs restart:</strong> {pending.map((k) => k.name).join(', ') || 'restarting'}. The lab restarts the shards one at a time (each is
            unavailable for a few seconds).
          </span>
          <button type="button" onClick={() => void restart.run()} disabled={restart.busy}>
            Restart shards to apply
          </button>
          {restart.busy && restartJob && (
            <span className="muted">
              {restartJob.progress.done}/{restartJob.progress.total} {restartJob.phase ?? ''} {restartJob.notes?.at(-1)?.message ?? ''}
            </span>
          )}
        </div>
      )}
      <ErrorNote error={load.error ?? turn.error ?? resetAll.error ?? loadProfiles.error ?? applyProfile.error ?? saveProfile.error ?? restart.error} />
      <CompactTable label="Tuning knobs" className="knobs-table" head={['knob', 'value', 'default', 'applies', 'set here · in the original']}>
        {knobs.map((k) => (
          <KnobRow key={k.name} knob={k} busy={busy} onSet={(v) => void turn.run(k.name, v)} />
        ))}
      </CompactTable>
    </Panel>
  );
}

function KnobRow({ knob: k, busy, onSet }: { knob: Knob; busy: boolean; onSet(value: string | null): void }) {
  const [draft, setDraft] = useState(k.value);
  const id = useId();
  useEffect(() => setDraft(k.value), [k.value]);
  const choices = CHOICES[k.name];
  const editable = k.applies !== 'fixed';
  return (
    <tr data-knob={k.name} className={k.changed ? 'changed' : ''}>
      <th scope="row">
        <label htmlFor={id} className="mono">
          {k.name}
        </label>
        <div className="muted small">{k.description}</div>
      </th>
      <td>
        {editable ? (
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              onSet(draft);
            }}
          >
            {choices ? (
              <select id={id} value={draft} onChange={(e) => setDraft(e.target.value)}>
                {!choices.includes(draft) && <option value={draft}>{draft}</option>}
                {choices.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            ) : (
              <input id={id} value={draft} size={8} onChange={(e) => setDraft(e.target.value)} />
            )}
            <button type="submit" aria-label={`Set ${k.name}`} disabled={busy || draft === k.value}>
              Set
            </button>
            <button
              type="button"
              title={`Back to ${k.default}`}
              aria-label={`Reset ${k.name} to its default`}
              disabled={busy || !k.changed}
              onClick={() => onSet(null)}
            >
              ↺
            </button>
          </form>
        ) : (
          <span id={id}>{k.value}</span>
        )}
      </td>
      <td>{k.default}</td>
      <td title={k.cost}>
        {APPLIES[k.applies]}
        {k.needs_restart && <div className="bad small">needs restart</div>}
        {k.unanswered && <div className="bad small">{k.unanswered.join(', ')} did not answer: the value is the other shards'</div>}
      </td>
      <td className="small">
        {k.set_here}
        <div className="muted">Original: {k.original}</div>
        <div className="muted">Cost: {k.cost}</div>
      </td>
    </tr>
  );
}
