// Whether a reported position can be believed, before it is resolved to a place. Observers' phones report points
// in Paris (a stale fix, a test device), swap latitude and longitude (hand-typed, or an app that writes "lon lat"),
// or sit at one place while the observer types another. The report is kept as sent; dedup and the map use what is
// most likely true, and the reviewer is told both (reports/flags.ts).
import type { ReportFlag } from '../reports/flags.ts';
import {
  haversineKm,
  isForeign,
  nearestPlace,
  NAME_AGREES_KM,
  placeByName,
  resolvePlace,
  type Gazetteer,
  type Place,
  type ResolvedPlace,
} from './places.ts';

export interface ReportedPosition {
  lat: number | null;
  lon: number | null;
  placeName: string | null;
}

export interface JudgedPosition {
  /** What place resolution should read: the reported point, the swapped one, or the typed name alone. */
  use: ReportedPosition;
  flags: ReportFlag[];
}

// Without an area in the agreement, a point this far beyond the outermost listed place is not from the mission's
// area: a degree (~100 km) leaves room for the open desert between the last listed place and the frontier.
const AREA_MARGIN_DEG = 1;

export interface Area {
  minLat: number;
  maxLat: number;
  minLon: number;
  maxLon: number;
}
const areas = new WeakMap<Gazetteer, Area>();

/** The agreement's area, else the box around the gazetteer's own (not foreign) places, with a margin. */
export function missionArea(g: Gazetteer, declared?: Area): Area {
  if (declared) return declared;
  let area = areas.get(g);
  if (!area) {
    const own = g.places.filter((p) => !isForeign(p));
    area = {
      minLat: Math.min(...own.map((p) => p.lat)) - AREA_MARGIN_DEG,
      maxLat: Math.max(...own.map((p) => p.lat)) + AREA_MARGIN_DEG,
      minLon: Math.min(...own.map((p) => p.lon)) - AREA_MARGIN_DEG,
      maxLon: Math.max(...own.map((p) => p.lon)) + AREA_MARGIN_DEG,
    };
    areas.set(g, area);
  }
  return area;
}

const inside = (a: Area, lat: number, lon: number) =>
  lat >= a.minLat && lat <= a.maxLat && lon >= a.minLon && lon <= a.maxLon;
const km = (lat: number, lon: number, p: Place) => Math.round(haversineKm(lat, lon, p.lat, p.lon) * 10) / 10;
const placeOf = (p: Place) => ({ lat: p.lat, lon: p.lon, place: p.name, placeAr: p.nameAr });

export function judgePosition(reported: ReportedPosition, g: Gazetteer, declared?: Area): JudgedPosition {
  const { lat, lon, placeName } = reported;
  const typed = placeName ? placeByName(placeName, g) : null;
  const named = typed && !isForeign(typed) ? typed : null;
  if (lat == null || lon == null) {
    // Known only by a name the gazetteer does not hold: dedup can still compare the name, nobody can map it.
    if (placeName && !typed) {
      return { use: reported, flags: [flag('unknown_place', 'placeName', { placeName }, null)] };
    }
    return { use: reported, flags: [] };
  }
  const area = missionArea(g, declared);
  const swappedFits = inside(area, lon, lat) && (!named || km(lon, lat, named) <= NAME_AGREES_KM);
  const asSent = { lat, lon, placeName };
  if (inside(area, lat, lon)) {
    if (!named || km(lat, lon, named) <= NAME_AGREES_KM) return { use: reported, flags: [] };
    if (swappedFits) return swapped(asSent);
    // Both are plausible: the phone's fix usually wins over a typed name (an observer based in one town reports
    // from another), so the point stays in use and the reviewer sees how far apart they are.
    const near = nearestPlace(lat, lon, g);
    return {
      use: reported,
      flags: [
        flag('place_mismatch', 'position', asSent, {
          lat,
          lon,
          place: near.place.name,
          placeAr: near.place.nameAr,
          typedPlace: named.name,
          typedPlaceAr: named.nameAr,
          distanceKm: km(lat, lon, named),
        }),
      ],
    };
  }
  if (swappedFits) return swapped(asSent);
  // Outside the area and not a swap: the typed place, when the gazetteer knows it, stands for the position.
  return {
    use: { lat: null, lon: null, placeName },
    flags: [flag('outside_area', 'position', asSent, named ? placeOf(named) : null)],
  };
}

function swapped(r: { lat: number; lon: number; placeName: string | null }): JudgedPosition {
  return {
    use: { lat: r.lon, lon: r.lat, placeName: r.placeName },
    flags: [flag('swapped_coordinates', 'position', r, { lat: r.lon, lon: r.lat })],
  };
}

const flag = (
  code: ReportFlag['code'],
  field: ReportFlag['field'],
  reported: unknown,
  inferred: unknown,
): ReportFlag => ({
  code,
  field,
  reported,
  inferred,
});

/**
 * Where a report is, as dedup and the map read it: the position judged first (an out-of-area or swapped point gives
 * way to what is likely true), then resolved to a place. The workers, the eval command and the dedup training all
 * locate a report through this one function: a step one of them skipped would make the pair model learn, or be
 * scored on, positions the workers never use.
 */
export function locateReport(
  reported: ReportedPosition,
  g: Gazetteer,
  declared?: Area,
): JudgedPosition & { place: ResolvedPlace } {
  const judged = judgePosition(reported, g, declared);
  return { ...judged, place: resolvePlace(judged.use, g) };
}
