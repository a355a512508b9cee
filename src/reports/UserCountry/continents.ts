/** Continents by Matomo's three-letter code, with the ISO 3166 countries of each. */

/** Continent names by Matomo's continent code. */
export const CONTINENT_NAMES: Readonly<Record<string, string>> = {
  afr: 'Africa', amc: 'Central America', amn: 'North America', ams: 'South America', ant: 'Antarctica', asi: 'Asia', eur: 'Europe', oce: 'Oceania',
};

/**
 * Lower-case ISO 3166 country codes of each continent. Central America includes the
 * Caribbean. NOTE: the split of transcontinental countries (Turkey and Cyprus in Asia,
 * Russia in Europe) was written from general knowledge, not checked against Matomo's list.
 */
export const CONTINENT_COUNTRIES: Readonly<Record<string, readonly string[]>> = {
  eur: 'ad al at ax ba be bg by ch cz de dk ee es fi fo fr gb gg gi gr hr hu ie im is it je li lt lu lv mc md me mk mt nl no pl pt ro rs ru se si sj sk sm ua va xk'.split(' '),
  asi: 'ae af am az bd bh bn bt cc cn cx cy ge hk id il in io iq ir jo jp kg kh kp kr kw kz la lb lk mm mn mo mv my np om ph pk ps qa sa sg sy th tj tl tm tr tw uz vn ye'.split(' '),
  afr: 'ao bf bi bj bw cd cf cg ci cm cv dj dz eg eh er et ga gh gm gn gq gw ke km lr ls ly ma mg ml mr mu mw mz na ne ng re rw sc sd sh sl sn so ss st sz td tg tn tz ug yt za zm zw'.split(' '),
  amn: 'bm ca gl mx pm us'.split(' '),
  amc: 'ag ai aw bb bl bq bs bz cr cu cw dm do gd gp gt hn ht jm kn ky lc mf mq ms ni pa pr sv sx tc tt vc vg vi'.split(' '),
  ams: 'ar bo br cl co ec fk gf gs gy pe py sr uy ve'.split(' '),
  oce: 'as au ck fj fm gu ki mh mp nc nf nr nu nz pf pg pn pw sb tk to tv um vu wf ws'.split(' '),
  ant: 'aq bv hm tf'.split(' '),
};
