// Sentences written for these rules (not taken from any labeled file): each pair fails without its rule.
import { describe, expect, it } from 'vitest';
import { classifyReport } from '../../../src/classify/classifier.ts';

const run = (narrative: string, placeName: string | null = null) =>
  classifyReport({ narrative, placeName }, 'libya-2020');
const terms = (narrative: string, placeName: string | null = null) =>
  run(narrative, placeName)
    .terms.map((t) => t.id)
    .sort();

type Case = [
  rule: string,
  narrative: string,
  expectedTerms: string[] | null,
  expectedStance: string | null,
  placeName?: string | null,
];
const CASES: Case[] = [
  // Events abroad (foreign places in the gazetteer).
  [
    'abroad',
    'Army units clashed with rebels near Agadez overnight, several dead according to local radio.',
    ['none'],
    'information',
  ],
  ['abroad', 'اشتباكات بين الجيش ومسلحين في منطقة دارفور صباح اليوم.', ['none'], 'information', 'دارفور'],
  [
    'abroad typed',
    'Protesters blocked the road to the phosphate plant, police fired tear gas.',
    ['none'],
    'information',
    'Medenine (Tunisia)',
  ],
  // Causes outside the ceasefire: weather, health measures, accidents, crime, humanitarian cargo.
  [
    'weather',
    'All departures from Benina postponed this afternoon due to a dust storm, flights to resume tonight.',
    ['none'],
    'information',
  ],
  [
    'health',
    'إغلاق معبر وازن أمام المسافرين لمدة عشرة أيام ضمن الإجراءات الاحترازية من كورونا.',
    ['none'],
    'information',
  ],
  [
    'accident',
    'A minibus overturned on the Zliten road, four passengers hurt, police directing traffic.',
    ['none'],
    'information',
  ],
  ['accident', 'تصادم سيارتين على الطريق بين الخمس وزليتن وإصابة ثلاثة أشخاص.', ['none'], 'information'],
  ['crime', 'Gunmen kidnapped a doctor in Zawiya and phoned his family demanding a ransom.', ['none'], 'information'],
  ['crime', 'خطف شاب من قبل عصابة في الزاوية وطلب فدية من أسرته.', ['none'], 'information'],
  [
    'humanitarian',
    'A chartered freighter delivered COVID vaccines and syringes to Benina for the health ministry.',
    ['none'],
    'information',
  ],
  ['wedding', 'رصاص كثيف في حي الليثي ليلاً تبين أنه ابتهاج بعرس، ولا علاقة له بأي مواجهات.', ['none'], 'information'],
  // Arbitrary detention by armed groups.
  [
    'detention',
    'A militia in Tarhuna detained two activists without a warrant; families cannot reach them.',
    ['detainee_exchange'],
    'violation',
  ],
  [
    'detention',
    'احتجاز تعسفي لصحفي في الزاوية من قبل مجموعة مسلحة منذ ثلاثة أيام.',
    ['detainee_exchange'],
    'violation',
  ],
  // Road berms, lanes, first crossings, dialect closures.
  [
    'road closed',
    'Guards put up a sand berm across the highway at the western gate, no one allowed through.',
    ['road_opening'],
    'violation',
  ],
  ['road closed', 'الطريق عند البوابة مسكّر من الفجر، والسيارات رجعت لمصراتة.', ['road_opening'], 'violation'],
  [
    'road open',
    'Bulldozers finished removing the earth mounds; both lanes open and the first buses crossed at noon.',
    ['road_opening'],
    'compliance',
  ],
  [
    'road open',
    'عبرت عشرات السيارات المدنية بعد إزالة السواتر الترابية من الطريق الساحلي.',
    ['road_opening'],
    'compliance',
  ],
  // Troops back to camps (Arabic) and military movement toward the front line.
  ['troop return', 'رجوع سريتين من محور الجفرة إلى ثكناتهما في سبها مساء اليوم.', ['troop_return'], 'compliance'],
  ['troop return', 'انسحاب قوات تابعة للواء 128 من مواقعها وعودتها إلى مقرها في هون.', ['troop_return'], 'compliance'],
  [
    'troop toward front',
    'Eight trucks with mounted guns seen on the Jufra road heading towards Sirte at dusk.',
    ['troop_return'],
    'violation',
  ],
  // Foreign fighters: arrivals vs departures.
  [
    'departure',
    'About ninety Sudanese fighters boarded a flight at Benina, destination said to be Khartoum.',
    ['mercenary_withdrawal'],
    'compliance',
  ],
  [
    'departure',
    'A convoy of Chadian rebels drove south of Murzuq overnight heading to the Niger border; their camp is now abandoned.',
    ['mercenary_withdrawal'],
    'compliance',
  ],
  [
    'arrival',
    'Around sixty Syrian fighters disembarked at Al Watiya; buses then left towards the base barracks.',
    ['mercenary_withdrawal'],
    'violation',
  ],
  [
    'arrival',
    'The charter carried Syrian mercenaries into Mitiga overnight; the plane left empty at dawn.',
    ['mercenary_withdrawal'],
    'violation',
  ],
  // Rocket impacts, drone noise, negated lists.
  [
    'impacts',
    'Four 107mm rockets impacted near the airport fence at 2300L, no injuries.',
    ['hostilities'],
    'violation',
  ],
  ['impacts', 'سقوط قذيفتين قرب مطار معيتيقة دون إصابات.', ['hostilities'], 'violation'],
  [
    'negated list',
    'Calm night at the gate: no artillery or gunfire heard by the team.',
    ['hostilities'],
    'information',
  ],
  [
    'negated list',
    'Media review this week: no hate speech or incitement found on the main channels.',
    ['hate_speech'],
    'information',
  ],
  // Hate speech: ethnic slurs and sanctions.
  [
    'slur',
    'A commander posted a video calling the Tuareg residents foreigners and urging their expulsion.',
    ['hate_speech'],
    'violation',
  ],
  [
    'sanction',
    'The channel suspended the talk show host after his incitement against easterners.',
    ['hate_speech'],
    'compliance',
  ],
  ['sanction', 'قررت القناة إيقاف مذيع برنامج سياسي بعد خطاب تحريضي ضد سكان الشرق.', ['hate_speech'], 'compliance'],
  // Mines: planting and casualties are violations (even of old mines, whatever the follow-up); finds are information.
  [
    'planted',
    'Police found a newly planted IED under a bridge near Tarhuna and defused it.',
    ['mines_uxo'],
    'violation',
  ],
  ['planted', 'العثور على لغم مزروع حديثاً على طريق مزدة وتفكيكه.', ['mines_uxo'], 'violation'],
  [
    'mine casualty',
    'A shepherd was killed by an old landmine left from the 2019 front south of Tripoli.',
    ['mines_uxo'],
    'violation',
  ],
  [
    'mine casualty',
    'A farmer lost a leg to a buried mine while ploughing near Wadi Rabie; 1 WIA, sappers cordoned the field and asked for a clearance team.',
    ['mines_uxo'],
    'violation',
  ],
  [
    'mine casualty',
    'أصيب طفلان بجروح جراء انفجار قذيفة قديمة في أرض خلاء بالهضبة، وقامت الشرطة بتطويق المكان.',
    ['mines_uxo'],
    'violation',
  ],
  [
    'mine awareness',
    'Deminers held a mine risk education session for 60 farmers in Wadi Rabie; they said 5 people were injured by UXO there this year.',
    ['mines_uxo'],
    'information',
  ],
  [
    'mine awareness',
    'حملة توعية بمخاطر الألغام لطلاب مدرسة في عين زارة، وذكر المدربون أن طفلين أصيبا بمخلفات الحرب منذ بداية العام.',
    ['mines_uxo'],
    'information',
  ],
  [
    'mine find',
    'Workers found an unexploded rocket in a garden in Qasr Bin Ghashir; police cordoned the area and called EOD.',
    ['mines_uxo'],
    'information',
  ],
  ['accusative', 'نزع المهندسون ثلاثين لغماً من أطراف الطريق.', ['mines_uxo'], 'compliance'],
  [
    'uxo demolition',
    'Loud blasts heard at noon east of Hun: army engineers carried out a controlled detonation of old rockets collected from farms. Not an attack.',
    ['mines_uxo'],
    'compliance',
  ],
  [
    'uxo demolition',
    'سماع دوي انفجارات قرب الجفرة، وتبين أنها تفجير متحكم به لذخائر قديمة جمعتها الهندسة العسكرية.',
    ['mines_uxo'],
    'compliance',
  ],
  // A term named only in negation steps back when another term is positively reported.
  [
    'negated only',
    'Gate report: no gunfire overnight. Two more armed pickups of the 166 Bde joined the position this morning.',
    ['troop_return'],
    null,
  ],
  ['negated only', 'لا قصف اليوم. وصلت ثلاث سيارات مسلحة إضافية إلى البوابة مساء أمس.', ['troop_return'], null],
  // Weather and crime behind a closure or a "release".
  [
    'weather closure',
    'Torrential rain overnight; the Zliten underpass is flooded and police closed it to traffic. No security incidents.',
    ['none'],
    'information',
  ],
  [
    'weather closure',
    'سيول جارفة في غريان أدت إلى إغلاق الطريق المؤدي إلى الأصابعة، والدفاع المدني في المكان.',
    ['none'],
    'information',
  ],
  [
    'weather flights',
    'Poor visibility from a dust storm: two morning flights to Sebha cancelled, airport otherwise normal.',
    ['none'],
    'information',
  ],
  [
    'hijacking',
    'Gunmen hijacked a diesel truck of the Brega Marketing Co. near Bani Walid; the driver was released unharmed hours later.',
    ['none'],
    'information',
  ],
  [
    'hijacking',
    'قطاع طرق استولوا على شاحنة وقود قرب الشويرف وأطلقوا سراح السائق، والشرطة تتحدث عن بيعها في السوق السوداء.',
    ['none'],
    'information',
  ],
  // Arbitrary detention in Arabic without the word exchange.
  [
    'ar detention',
    'اقتياد ناشط من مقهى في مصراتة إلى جهة غير معلومة على يد رجال بزي مدني، ولا يعرف ذووه مكانه.',
    ['detainee_exchange'],
    'violation',
  ],
  [
    'ar detention',
    'توقيف ثلاثة شبان من ترهونة في بوابة القربولي من قبل عناصر مسلحة، ومصيرهم مجهول حتى الآن.',
    ['detainee_exchange'],
    'violation',
  ],
  // Foreign fighters described by accent, age and rotation.
  [
    'ff accents',
    'A bus with some forty military-age men speaking with Chadian accents drove into the Brak airbase this afternoon.',
    ['mercenary_withdrawal'],
    'violation',
  ],
  [
    'ff rotation',
    'Second plane of the week at Al Watiya; locals say it brought a fresh batch of men as replacement for the group flown out on Monday.',
    ['mercenary_withdrawal'],
    'violation',
  ],
  [
    'ff accents',
    'شوهد نحو ثلاثين شاباً يتحدثون بلهجة سورية يصلون إلى معسكر اليرموك في حافلتين.',
    ['mercenary_withdrawal'],
    'violation',
  ],
  // Hate speech remedies: charters, codes of conduct, apologies.
  [
    'hs charter',
    'Eight radio stations in Misrata signed a media code of conduct committing to drop incitement from their talk shows.',
    ['hate_speech'],
    'compliance',
  ],
  [
    'hs charter',
    'اعتذرت قناة فضائية على الهواء عن تصريحات تحريضية لضيفها والتزمت بمدونة السلوك المهني.',
    ['hate_speech'],
    'compliance',
  ],
  // Agreed plans and supervising committees: what they will do is not yet done.
  [
    'agreed plan',
    'The JMC agreed on a team to oversee the withdrawal of units from the Jufra front to their barracks.',
    null,
    'information',
  ],
  [
    'agreed plan',
    'اتفق الطرفان في اجتماع سرت على تشكيل فريق للإشراف على انسحاب القوات من خطوط التماس.',
    null,
    'information',
  ],
  // Oil: force majeure lifted.
  [
    'oil lifted',
    'NOC lifted force majeure at the Sharara field and production restarted this morning.',
    ['oil_facilities'],
    'compliance',
  ],
  // Pending, not refused.
  [
    'pending',
    'زار وفد السجن لمراجعة الكشوف ولم يتم تبادل أي محتجزين بعد، وينتظر الجميع الاجتماع القادم.',
    ['detainee_exchange'],
    'information',
  ],
  // Blind-3 categories. Detention described without the word "detention"; an arrest named as the grievance of a closure.
  [
    'abduction',
    'Relatives say a teacher was dragged from his house before dawn by masked gunmen; nobody knows where he is now, no charges made.',
    ['detainee_exchange'],
    'violation',
  ],
  [
    'abduction',
    'Two drivers stopped at the eastern checkpoint were held by intelligence officers for four days; lawyers denied access to them.',
    ['detainee_exchange'],
    'violation',
  ],
  [
    'abduction',
    'An engineer from Gharyan was taken from his office by men in uniform on Sunday; no visits allowed and his location unknown.',
    ['detainee_exchange'],
    'violation',
  ],
  [
    'closure grievance',
    'Tribesmen blocked the airport access road protesting the detention of a relative; all afternoon flights cancelled.',
    ['road_opening'],
    'violation',
  ],
  // Foreign fighters named only by an assessed nationality or appearance.
  [
    'assessed nationality',
    'Patrol passed a walled farm south of Sabha: around 20 gunmen, assessed Sudanese, with six pickups; shepherds say they arrived recently.',
    ['mercenary_withdrawal'],
    'violation',
  ],
  [
    'assessed nationality',
    'At the Tmassah crossroads a new group of fighters of Syrian appearance was seen guarding a fuel depot.',
    ['mercenary_withdrawal'],
    'violation',
  ],
  // Resumption after a suspension; the background war is not a new hostility.
  [
    'first flight since',
    'The first scheduled flight from Ghat to Tripoli took off this morning; the line had been closed since the 2019 war.',
    ['road_opening'],
    'compliance',
  ],
  [
    'first flight since',
    'هبوط أول طائرة ركاب في مطار غات قادمة من طرابلس بعد توقف الخط منذ سنتين.',
    ['road_opening'],
    'compliance',
  ],
  ['first flight since', 'أول رحلة من سبها إلى بنغازي منذ ثلاث سنوات وصلت عصر اليوم.', ['road_opening'], 'compliance'],
  // Removal of a closure is compliance.
  [
    'checkpoint removed',
    'The checkpoint at the southern exit of Gharyan was removed yesterday; buses and lorries moving freely since dawn.',
    ['road_opening'],
    'compliance',
  ],
  [
    'checkpoint removed',
    'Shwayrif junction: militia checkpoint taken down, private cars passing normally in both directions.',
    ['road_opening'],
    'compliance',
  ],
  // Negated or hedged presence is information.
  [
    'hedged presence',
    'Two-day patrol around Ubari found no foreign fighters; the airfield was closed to us, so their presence cannot be ruled out.',
    ['mercenary_withdrawal'],
    'information',
  ],
  [
    'hedged cargo',
    'A Boeing freighter unloaded pallets at Misrata; team watched from the fence, no military cargo observed.',
    ['arms_transfer'],
    'information',
  ],
  // Meetings, agreed timetables, unverifiable accusations.
  [
    'timetable',
    'The sub-committee met in Brega and agreed a timeline for the exit of mercenaries; monitors will be sent once approved.',
    ['mercenary_withdrawal'],
    'information',
  ],
  [
    'accusation',
    'الناطق باسم الحكومة يتهم الطرف الآخر بجلب مرتزقة جدد إلى الجفرة، ولا يمكن التحقق من ذلك.',
    ['mercenary_withdrawal'],
    'information',
  ],
  [
    'accusation',
    'A militia spokesman claimed on his official page that foreign fighters are still in Sirte. Cannot be excluded, nothing seen by the team.',
    ['mercenary_withdrawal'],
    'information',
  ],
  // Administrative and logistic notes are not incidents.
  [
    'logistics',
    'Two armoured cars handed over to the team in Sirte this afternoon; spare tyres still missing.',
    ['none'],
    'information',
  ],
  [
    'logistics',
    'Handover of three vehicles to the observers completed at the Brega office, radio check with base done.',
    ['none'],
    'information',
  ],
  // Extra terms suppressed: TV rhetoric, artillery emplacements, a camp gate, an airbase gate, a replaced oil guard.
  [
    'rhetoric',
    'A presenter on a pro-government channel urged young men to prepare for the coming battle against the traitors of the east.',
    ['hate_speech'],
    'violation',
  ],
  [
    'emplacements',
    'New sand berms and four mortar pits dug overnight on the eastern edge of Abu Grein.',
    ['troop_return'],
    'violation',
  ],
  ['emplacements', 'حفر مرابض هاون جديدة وساتر ترابي قرب بوابة الثلاثين.', ['troop_return'], 'violation'],
  [
    'camp gate',
    'The battalion pulled back to its barracks in Gharyan overnight; base gate open, vehicles parked inside.',
    ['troop_return'],
    'compliance',
  ],
  [
    'airbase entry',
    'Al Khadim airbase: some 30 Russian-speaking personnel near the hangars; our team was denied entry by the guard.',
    ['mercenary_withdrawal'],
    'violation',
  ],
  [
    'oil guard replaced',
    'استبدال عناصر حرس المنشآت النفطية في حقل الفيل بعناصر من كتيبة مسلحة صباح اليوم.',
    ['oil_facilities'],
    'violation',
  ],
  // The same categories in the other language / other wordings.
  [
    'abduction ar',
    'اقتاده مسلحون بملابس مدنية من بيته بعد منتصف الليل، وأسرته لا تعرف مصيره.',
    ['detainee_exchange'],
    'violation',
  ],
  [
    'abduction en',
    'Guards detained a shepherd near the Wadi Bey post for three days; his family not allowed to see him.',
    ['detainee_exchange'],
    'violation',
  ],
  [
    'checkpoint removed ar',
    'تفكيك نقطة تفتيش عند مدخل ترهونة الشمالي، والسيارات تعبر بشكل طبيعي منذ الظهر.',
    ['road_opening'],
    'compliance',
  ],
  ['logistics ar', 'تسليم ثلاث سيارات لفريق المراقبين في البريقة، مع طلب إطارات احتياطية.', ['none'], 'information'],
  ['celebration ar', 'رصاص احتفالي في سوق الجمعة بعد فوز المنتخب، ولا إصابات.', ['none'], 'information'],
  [
    'ordnance found',
    'A tank shell was found by a shepherd near the Hun bypass; nobody hurt, police told.',
    ['mines_uxo'],
    'information',
  ],
  ['ordnance found ar', 'اكتشف عمال بناء قذيفة قديمة في ورشة بحي الهضبة، ولم يصب أحد.', ['mines_uxo'], 'information'],
  // A negation runs on through one qualifying word and a conjunction.
  [
    'negated list',
    'وصول طائرتين مدنيتين إلى مطار بنينا، ولم نلاحظ أي طائرة شحن حربية أو تفريغ صناديق.',
    ['arms_transfer'],
    'information',
  ],
  [
    'negated list',
    'Watch on Al Watiya runway all morning: no cargo aircraft military or otherwise, and no unloading of crates.',
    ['arms_transfer'],
    'information',
  ],
  // Ordnance found, nobody hurt: information.
  [
    'ordnance found',
    'A farmer reported three artillery bombs in his orchard near Tawergha; police put up a cordon, disposal team requested.',
    ['mines_uxo'],
    'information',
  ],
  [
    'ordnance found',
    'Children found an RPG warhead behind the school in Abu Salim; the yard was closed and engineers are expected tomorrow.',
    ['mines_uxo'],
    'information',
  ],
];

describe('classifier generalises by category', () => {
  for (const [rule, narrative, expectedTerms, expectedStance, placeName] of CASES) {
    it(`${rule}: ${narrative}`, () => {
      const r = run(narrative, placeName ?? null);
      if (expectedTerms) expect(r.terms.map((t) => t.id).sort()).toEqual(expectedTerms);
      if (expectedStance) expect(r.stance).toBe(expectedStance);
    });
  }
  it('a Libyan place typed with a foreign place named still counts as Libyan', () => {
    expect(terms('Wagner fighters arrived at Jufra from Syria on two flights.', 'Jufra')).toContain(
      'mercenary_withdrawal',
    );
  });
  it('is deterministic: the same report gives the same result every time', () => {
    for (const c of CASES) expect(run(c[1], c[4] ?? null)).toEqual(run(c[1], c[4] ?? null));
  });
});
